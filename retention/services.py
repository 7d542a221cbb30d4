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
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import AuditAction
from audit.services import record as audit
from cameras.models import Camera
from integrity.services import record_deletion
from recordings.capture.storage import root_of
from recordings.models import Segment
from recordings.querysets import CONTIGUOUS

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
            qs = qs.ended_by(before)
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


def enforce_retention(
    *, now: datetime | None = None, camera_ids: Sequence[int] | None = None
) -> dict[int, DeletedBatch]:
    """Delete every camera's unheld footage older than its retention period, in small batches."""
    now = now or timezone.now()
    done: dict[int, DeletedBatch] = {}
    cameras = Camera.objects.order_by("pk")
    if camera_ids is not None:
        cameras = cameras.filter(pk__in=camera_ids)
    for camera_id, days in cameras.values_list("pk", "retention_days"):
        total = DeletedBatch()
        cutoff = now - timedelta(days=days)
        while True:
            batch = delete_batch(
                camera_id=camera_id,
                before=cutoff,
                limit=settings.RETENTION_BATCH_SIZE,
                reason=DeletionReason.RETENTION,
                now=now,
            )
            if batch.count:
                total.count += batch.count
                total.bytes += batch.bytes
                total.first = total.first or batch.first
                total.last = batch.last
            if batch.count < settings.RETENTION_BATCH_SIZE:
                break
        if total.count:
            done[camera_id] = total
            report_deletion(camera_id, total, DeletionReason.RETENTION)
    return done


def was_deleted(camera_id: int, start: datetime) -> bool:
    """Footage of the camera starting then was deleted (its rows gone; its file may be left by a crash)."""
    return DeletedRange.objects.filter(camera_id=camera_id).containing(start).exists()
