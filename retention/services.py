"""Holds, and deletion of footage: by retention period, or oldest-first when the disk runs low.

Deletion order is row first, then file: the rows of a batch, its DeletedRange and its signed deletion
record are committed in one short transaction, and only then are the files unlinked. A crash in
between leaves files without rows inside a DeletedRange, which the reconciler recognises and deletes.
The other order would leave rows pointing at nothing, which read as missing footage (an alarm and a
tampering report) for what was a lawful deletion.
"""

import contextlib
import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import AuditAction
from audit.services import record as audit
from cameras.models import Camera
from integrity.models import DailyDigest
from integrity.services import record_day_deletion, record_deletion
from recordings import partitions
from recordings.capture.storage import root_of
from recordings.models import Segment
from recordings.querysets import CONTIGUOUS

from . import totals
from .choices import DeletionReason
from .models import DeletedRange, Hold

log = logging.getLogger(__name__)


@transaction.atomic
def create_hold(
    *, camera_ids: Sequence[int], start: datetime, end: datetime, reason: str, created_by: object = None
) -> Hold:
    """Put the cameras' footage of [start, end) under a hold; retention and disk pressure will not delete it."""
    camera_ids = list(dict.fromkeys(camera_ids))
    if not camera_ids:
        raise ValidationError({"cameras": _("A hold must cover at least one camera.")})
    # Taken before the hold exists so that a deletion batch running now finishes first, and the next
    # one sees the hold (deletion takes the same lock; NO KEY UPDATE does not block segment inserts).
    cameras = list(Camera.objects.select_for_update(no_key=True).filter(pk__in=camera_ids).order_by("pk"))
    if len(cameras) != len(camera_ids):
        raise ValidationError({"cameras": _("Some of these cameras do not exist.")})
    hold = Hold(start=start, end=end, reason=(reason or "").strip(), created_by=created_by)
    hold.full_clean()
    hold.save()
    hold.cameras.set(cameras)
    audit(
        action=AuditAction.HOLD_CREATED,
        user=created_by,
        target=f"hold {hold.pk}",
        details={"cameras": camera_ids, "start": start.isoformat(), "end": end.isoformat(), "reason": hold.reason},
    )
    log.info("hold %s created on cameras %s for %s – %s", hold.pk, camera_ids, start, end)
    return hold


@transaction.atomic
def release_hold(*, hold_id: int, reason: str, released_by: object = None, now: datetime | None = None) -> Hold:
    """Release a hold, with the reason on record; its footage then expires as usual."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"release_reason": _("Releasing a hold needs a reason.")})
    hold = Hold.objects.select_for_update().get(pk=hold_id)
    if hold.released_at is not None:
        raise ValidationError(_("This hold was already released on %(when)s.") % {"when": hold.released_at})
    hold.released_at = now or timezone.now()
    hold.released_by = released_by
    hold.release_reason = reason
    hold.save(update_fields=["released_at", "released_by", "release_reason"])
    audit(action=AuditAction.HOLD_RELEASED, user=released_by, target=f"hold {hold.pk}", details={"reason": reason})
    log.info("hold %s released: %s", hold.pk, reason)
    return hold


def held_intervals(camera_id: int) -> list[tuple[datetime, datetime]]:
    return list(Hold.objects.active().covering(camera_id).values_list("start", "end"))


def _unheld(qs: object, holds: list[tuple[datetime, datetime]]) -> object:
    for start, end in holds:
        qs = qs.not_overlapping(start, end)
    return qs


@dataclass
class DeletedBatch:
    """What one deletion batch removed."""

    count: int = 0
    bytes: int = 0
    first: datetime | None = None
    last: datetime | None = None


class DeletedRow(NamedTuple):
    """What a deleted segment row was (a tuple: a sweep handles half a million of them a day)."""

    path: str
    sha256: str
    start: datetime
    end: datetime
    bytes: int
    node: str  # which capture node's storage holds the file (recordings.capture.storage.root_of)


def _runs(rows: list[DeletedRow]) -> list[list[DeletedRow]]:
    """Split rows (in start order) into runs of contiguous footage, so a gap never reads as deleted."""
    runs: list[list[DeletedRow]] = []
    for row in rows:
        if runs and row.start - runs[-1][-1].end <= CONTIGUOUS:
            runs[-1].append(row)
        else:
            runs.append([row])
    return runs


def _delete_returning(victims: object) -> list[DeletedRow]:
    """Delete the rows of the `victims` id query; return what they were, in start order."""
    if connection.vendor == "postgresql":
        # One statement, no second round trip with thousands of ids.
        sql, params = victims.query.sql_with_params()
        table = Segment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM {table} WHERE id IN ({sql}) RETURNING path, sha256, start, "end", bytes, node', params
            )
            rows = list(map(DeletedRow._make, cursor.fetchall()))
        rows.sort(key=attrgetter("start"))
        return rows
    found = Segment.objects.filter(pk__in=victims).order_by("start").values_list("pk", *DeletedRow._fields)
    ids, rows = [], []
    for pk, *fields in found:
        ids.append(pk)
        rows.append(DeletedRow(*fields))
    Segment.objects.filter(pk__in=ids).delete()
    return rows


def delete_batch(
    *,
    camera_id: int,
    before: datetime | None,
    limit: int,
    reason: str,
    node: str | None = None,
    now: datetime | None = None,
) -> DeletedBatch:
    """Delete up to `limit` of the camera's oldest unheld segments that ended before `before`."""
    now = now or timezone.now()
    with transaction.atomic():
        if not Camera.objects.select_for_update(no_key=True).filter(pk=camera_id).exists():
            return DeletedBatch()
        qs = Segment.objects.filter(camera_id=camera_id)
        if before is not None:
            # start < end ≤ before: the bound on start lets PostgreSQL skip the later days' partitions.
            qs = qs.ended_by(before).starting_before(before)
        if node is not None:
            qs = qs.filter(node=node)
        victims = _unheld(qs, held_intervals(camera_id)).order_by("start").values("id")[:limit]
        rows = _delete_returning(victims)
        if not rows:
            return DeletedBatch()
        DeletedRange.objects.bulk_create(
            DeletedRange(
                camera_id=camera_id,
                start=run[0].start,
                end=run[-1].end,
                segment_count=len(run),
                bytes=sum(r.bytes for r in run),
                reason=reason,
                deleted_at=now,
            )
            for run in _runs(rows)
        )
        record_deletion(camera_id=camera_id, entries=[(r.path, r.sha256, r.start) for r in rows], reason=reason, at=now)
        totals.subtract(camera_id, ((r.start, r.node, r.bytes) for r in rows))
    roots: dict[str, str] = {}
    for row in rows:
        if row.node not in roots:
            roots[row.node] = str(root_of(row.node))
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(roots[row.node], row.path))  # plain strings: pathlib costs more than the unlink
    return DeletedBatch(count=len(rows), bytes=sum(r.bytes for r in rows), first=rows[0].start, last=rows[-1].end)


def report_deletion(camera_id: int, batch: DeletedBatch, reason: str) -> None:
    """Log and audit what a deletion removed."""
    level = logging.WARNING if reason == DeletionReason.DISK_PRESSURE else logging.INFO
    first, last = batch.first.isoformat(), batch.last.isoformat()
    log.log(
        level,
        "%s: camera %s: %d segments (%d bytes) deleted, %s – %s",
        reason,
        camera_id,
        batch.count,
        batch.bytes,
        first,
        last,
    )
    audit(
        action=AuditAction.RETENTION_DELETION,
        target=f"camera {camera_id}",
        details={"reason": reason, "segments": batch.count, "bytes": batch.bytes, "start": first, "end": last},
    )


# A whole-day sweep reads a partition `s` joined to each camera's cutoff `c`.
_FROM_SQL = """{table} s LEFT JOIN unnest(%(cameras)s::bigint[], %(cutoffs)s::timestamptz[]) AS c(camera_id, cutoff)
    ON c.camera_id = s.camera_id"""


def _keep_sql(*, holds: bool) -> str:
    """What a whole-day sweep keeps: rows of a camera whose period has not passed for them (or that is
    not among the cameras swept), and rows overlapping an active hold of their camera: the same tests as
    delete_batch's."""
    keep = """c.cutoff IS NULL OR s."end" > c.cutoff"""
    if holds:
        keep += """ OR EXISTS (
        SELECT 1 FROM unnest(%(hold_cameras)s::bigint[], %(hold_starts)s::timestamptz[],
                             %(hold_ends)s::timestamptz[]) AS h(camera_id, start, "end")
        WHERE h.camera_id = s.camera_id AND s.start < h."end" AND s."end" > h.start)"""
    return f"({keep})"


# The deleted ranges of a day, as _runs makes them (a run ends where the next segment starts more than
# CONTIGUOUS after the previous one's end), computed in the database: no datetimes cross the socket.
# camera, start, end and bytes are all in the (camera, start) index (recordings migration 0008), which
# gives the rows in window order: one index-only pass, no sort of the day's 2 M rows, and a run's end is
# that of its last row (the one after which the next run starts), found without sorting each run again.
_RUNS_SQL = """
SELECT camera_id, min(start), max("end") FILTER (WHERE last), count(*), sum(bytes)::bigint FROM (
    SELECT camera_id, start, "end", bytes,
           count(*) FILTER (WHERE prev_end IS NULL OR start - prev_end > %(tolerance)s)
               OVER (PARTITION BY camera_id ORDER BY start) AS run,
           coalesce(next_start - "end" > %(tolerance)s, true) AS last
    FROM (SELECT s.camera_id, start, "end", bytes,
                 lag("end") OVER w AS prev_end,
                 lead(start) OVER w AS next_start
          FROM {source} WHERE NOT {keep}
          WINDOW w AS (PARTITION BY s.camera_id ORDER BY start)) AS rows
) AS runs
GROUP BY camera_id, run
ORDER BY camera_id, min(start)
"""


def _may_keep(cursor: object, table: str, cutoffs: dict[int, datetime], cameras: list[int]) -> bool:
    """Whether the day can have rows to keep without holds: some camera's newest footage of the day
    ends after its cutoff (or it is a camera without one). One probe of the (camera, end) index per
    camera, where the keep test itself would read every row of the day."""
    cursor.execute(
        f'SELECT c, (SELECT max("end") FROM {table} WHERE camera_id = c) FROM unnest(%s::bigint[]) AS c', [cameras]
    )
    return any(
        end is not None and (camera_id not in cutoffs or end > cutoffs[camera_id])
        for camera_id, end in cursor.fetchall()
    )


def _sweep_day(*, day: object, table: str, cutoffs: dict[int, datetime], now: datetime) -> dict[int, DeletedBatch]:
    """Delete a whole day's expired unheld footage at once: record it (DeletedRange rows, the day's signed
    deletion chain) and drop the day's partition, or swap it for one holding only the kept rows; then
    unlink the files. Same order and same lock as delete_batch: rows and records in one transaction."""
    with transaction.atomic():
        cameras = list(Camera.objects.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
        day_start, day_end = partitions.day_bounds(day)
        # Only holds that can overlap the day's rows (which start in it and end at most a day later).
        held = list(
            Hold.cameras.through.objects.filter(
                hold__released_at__isnull=True, hold__end__gt=day_start, hold__start__lt=day_end + partitions.DAY
            ).values_list("camera_id", "hold__start", "hold__end")
        )
        params = {
            "cameras": list(cutoffs),
            "cutoffs": list(cutoffs.values()),
            "hold_cameras": [h[0] for h in held],
            "hold_starts": [h[1] for h in held],
            "hold_ends": [h[2] for h in held],
            "tolerance": CONTIGUOUS,
        }
        with connection.cursor() as cursor:
            # Late inserts into this day wait until the day is settled; other days are not touched.
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
            if held or _may_keep(cursor, table, cutoffs, cameras):
                keep, source = _keep_sql(holds=bool(held)), _FROM_SQL.format(table=table)
            else:
                # Nothing of the day stays (the usual case): no row needs the keep test, nor counting.
                keep, source = "false", f"{table} s"
            cursor.execute(_RUNS_SQL.format(source=source, keep=keep), params)
            runs = cursor.fetchall()
            kept: dict[int, int] = {}
            if keep != "false":
                cursor.execute(f"SELECT s.camera_id, count(*) FILTER (WHERE {keep}) FROM {source} GROUP BY 1", params)
                kept = dict(cursor.fetchall())
            deleting = {camera_id for camera_id, *_ in runs}
            # A camera's day deleted whole, and sealed: one record standing for the seal, no second list of
            # its segments (which costs more than everything else here: 2 M entries a day at 96 cameras).
            seals = dict(DailyDigest.objects.filter(day=day, camera_id__in=deleting).values_list("camera_id", "head"))
            whole = {camera_id for camera_id in deleting if not kept.get(camera_id) and camera_id in seals}
            # Names are needed for the other cameras' records, and for unlinking where the day has files here.
            roots = {settings.RECORDINGS_ROOT, *settings.RECORDINGS_ROOTS.values()}
            wanted = (deleting - whole) | {
                c for c in whole if any((root / str(c) / f"{day:%Y/%m/%d}").is_dir() for root in roots)
            }
            cursor.execute(
                f"SELECT s.camera_id, path, sha256, node FROM {source} WHERE NOT {keep} "
                "AND s.camera_id = ANY(%(wanted)s) "
                "ORDER BY s.camera_id, start",
                {**params, "wanted": sorted(wanted)},
            )
            rows = cursor.fetchall()
        DeletedRange.objects.bulk_create(
            DeletedRange(
                camera_id=camera_id,
                start=start,
                end=end,
                segment_count=count,
                bytes=size,
                reason=DeletionReason.RETENTION,
                deleted_at=now,
            )
            for camera_id, start, end, count, size in runs
        )
        by_camera: dict[int, list[list[str]]] = {}
        for camera_id, path, sha, _node in rows:
            if camera_id not in whole:
                by_camera.setdefault(camera_id, []).append([path, sha])
        for camera_id in sorted(deleting):
            record_day_deletion(
                camera_id=camera_id,
                day=day,
                names=by_camera.get(camera_id, []),
                sealed_head=seals[camera_id] if camera_id in whole else "",
                reason=DeletionReason.RETENTION,
                at=now,
            )
        totals.forget_day(day)
        keeps_some = any(kept.values())
        if runs and keeps_some:
            partitions.replace_partition(table, day, f"SELECT s.* FROM {source} WHERE {keep}", params)
        elif not keeps_some:
            partitions.drop_partition(table)
    _unlink_all((node, path) for _camera_id, path, _sha, node in rows)
    done: dict[int, DeletedBatch] = {}
    for camera_id, start, end, count, size in runs:
        batch = done.setdefault(camera_id, DeletedBatch(first=start))
        batch.count += count
        batch.bytes += size
        batch.last = end
    return done


def _unlink_all(files: Iterable[tuple[str, str]]) -> None:
    """Unlink the files (node, path relative to that node's root) that exist, a folder at a time: a folder
    that is gone (already deleted, or on storage this server does not see) costs one look, not one unlink
    per file."""
    roots: dict[str, str] = {}
    folders: dict[str, set[str]] = {}
    for node, path in files:
        if node not in roots:
            roots[node] = str(root_of(node))
        folder, _, name = path.rpartition("/")
        folders.setdefault(os.path.join(roots[node], folder), set()).add(name)
    for where, names in folders.items():
        try:
            present = [entry.name for entry in os.scandir(where) if entry.name in names]
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in present:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(where, name))


def sweep_whole_days(*, now: datetime, retention_days: dict[int, int]) -> dict[int, DeletedBatch]:
    """On a partitioned index: every day that ended before some camera's cutoff is swept at once
    (_sweep_day), at a cost of that day's rows, whatever the size of the table. Nothing elsewhere."""
    if not retention_days or not partitions.is_partitioned():
        return {}
    cutoffs = {pk: now - timedelta(days=days) for pk, days in retention_days.items()}
    latest = max(cutoffs.values())
    done: dict[int, DeletedBatch] = {}
    for day, table in partitions.day_partitions().items():
        if partitions.day_bounds(day)[1] > latest:
            break
        for camera_id, batch in _sweep_day(day=day, table=table, cutoffs=cutoffs, now=now).items():
            _add(done.setdefault(camera_id, DeletedBatch()), batch)
    return done


def _add(total: DeletedBatch, batch: DeletedBatch) -> None:
    if batch.count:
        total.count += batch.count
        total.bytes += batch.bytes
        total.first = min(total.first, batch.first) if total.first else batch.first
        total.last = max(total.last, batch.last) if total.last else batch.last


def enforce_retention(
    *, now: datetime | None = None, camera_ids: Sequence[int] | None = None
) -> dict[int, DeletedBatch]:
    """Delete every camera's unheld footage older than its retention period: whole days at once where
    the index is partitioned (sweep_whole_days), the rest in small batches."""
    now = now or timezone.now()
    cameras = Camera.objects.order_by("pk")
    if camera_ids is not None:
        cameras = cameras.filter(pk__in=camera_ids)
    retention_days = dict(cameras.values_list("pk", "retention_days"))
    whole_days = sweep_whole_days(now=now, retention_days=retention_days) if camera_ids is None else {}
    expired = _with_expired_rows(now=now, retention_days=retention_days)
    done: dict[int, DeletedBatch] = {}
    for camera_id, days in retention_days.items():
        total = whole_days.get(camera_id, DeletedBatch())
        cutoff = now - timedelta(days=days)
        while camera_id in expired:
            batch = delete_batch(
                camera_id=camera_id,
                before=cutoff,
                limit=settings.RETENTION_BATCH_SIZE,
                reason=DeletionReason.RETENTION,
                now=now,
            )
            _add(total, batch)
            if batch.count < settings.RETENTION_BATCH_SIZE:
                break
        if total.count:
            done[camera_id] = total
            report_deletion(camera_id, total, DeletionReason.RETENTION)
    return done


def _with_expired_rows(*, now: datetime, retention_days: dict[int, int]) -> set[int]:
    """The cameras that still have rows past their cutoff (held ones included): one query per retention
    period, so that the batches below cost nothing for the cameras whose expired days were swept whole."""
    found: set[int] = set()
    for days in set(retention_days.values()):
        cutoff = now - timedelta(days=days)
        old = Segment.objects.filter(camera=OuterRef("pk")).ended_by(cutoff).starting_before(cutoff)
        cameras = [pk for pk, d in retention_days.items() if d == days]
        found.update(Camera.objects.filter(pk__in=cameras).filter(Exists(old)).values_list("pk", flat=True))
    return found


def was_deleted(camera_id: int, start: datetime) -> bool:
    """Footage of the camera starting then was deleted (its rows gone; its file may be left by a crash)."""
    return DeletedRange.objects.filter(camera_id=camera_id).containing(start).exists()
