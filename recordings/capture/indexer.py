"""Writes what the recorders of this process report into the database, in order, through outages.

Recording threads never touch the database: they hand closed segments, gaps and status changes to
this one thread. It writes whatever has piled up since its last round in a few statements (the
cameras of a site close their segments at about the same moment, so a round is often a dozen
segments: one INSERT, not a dozen). When the database is unreachable the work waits in memory and is
retried; files are on disk already, and a recorder that dies meanwhile has its files indexed by the
catch-up scan of the next recorder of that camera.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.utils import timezone

from cameras import events
from cameras.models import CameraStatus
from recordings.models import Gap, Segment
from recordings.services import carve_recorded_time

from . import storage
from .session import ClosedSegment

log = logging.getLogger(__name__)
# How long a round waits for more work before it is written; well inside the 2 s indexing goal.
BATCH_SECONDS = 0.5


@dataclass
class _Round:
    """Everything queued since the last round, taken at once and written in this order."""

    segments: list[ClosedSegment] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    statuses: dict[int, dict[str, Any]] = field(default_factory=dict)
    heartbeats: set[int] = field(default_factory=set)
    flushed: list[threading.Event] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # steps already written, not repeated on a retry

    def __bool__(self) -> bool:
        return bool(self.segments or self.gaps or self.statuses or self.heartbeats or self.flushed)


class Indexer:
    """A queue of database writes with a single writer thread."""

    def __init__(self, node: str) -> None:
        self.node = node
        self._pending = _Round()
        self._clock_written: dict[int, dict[str, Any]] = {}
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="indexer", daemon=True)
        self._thread.start()

    def segment(self, seg: ClosedSegment) -> None:
        progress: dict[str, Any] = {
            "last_segment_end": seg.end,
            "bitrate_kbps": round(seg.bitrate_kbps, 1),
            "clock_offset_s": seg.clock_offset_s,
        }
        clock = {
            "camera_clock_unset": seg.clock.camera_clock_unset,
            "clock_source": seg.clock.source,
            "clock_rate": None if seg.clock.rate == 1.0 else round(seg.clock.rate, 3),
            "clock_steps": seg.clock.steps,
        }
        with self._adding() as pending:
            pending.segments.append(seg)
            # The clock's fields rarely change: written only when they do, since every extra column of
            # the round's bulk UPDATE costs Python time for every camera (bench/results/recording.json).
            if self._clock_written.get(seg.camera_id) != clock:
                self._clock_written[seg.camera_id] = clock
                progress |= clock
            self._merge_status(seg.camera_id, progress)

    def gap(self, camera_id: int, start: datetime, end: datetime, cause: str, detail: str = "") -> None:
        with self._adding() as pending:
            pending.gaps.append(Gap(camera_id=camera_id, start=start, end=end, cause=cause, detail=detail[:255]))

    def heartbeat(self, camera_ids: list[int]) -> None:
        """These cameras' recorders are alive: one UPDATE for all, coalesced while the database is away."""
        with self._adding() as pending:
            pending.heartbeats.update(camera_ids)

    def status(self, camera_id: int, **fields: Any) -> None:
        """Status changes are merged per camera: only the latest value of each field is written."""
        with self._adding():
            self._merge_status(camera_id, fields)

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued before this call is written (False if the database is away)."""
        done = threading.Event()
        with self._cond:
            self._pending.flushed.append(done)
            self._cond.notify()
        return done.wait(timeout)

    @contextlib.contextmanager
    def _adding(self) -> Iterator[_Round]:
        """The pending round, under the lock; the writer is woken only if it was waiting for work. One
        gathering a round waits for its deadline anyway: waking it for every segment of every camera cost
        a dozen wake-ups a second per process for nothing. A flush always wakes it (notified in flush)."""
        with self._cond:
            was_empty = not self._pending
            yield self._pending
            if was_empty:
                self._cond.notify()

    def _merge_status(self, camera_id: int, fields: dict[str, Any]) -> None:
        self._pending.statuses.setdefault(camera_id, {}).update(fields)

    def _take(self) -> _Round:
        with self._cond:
            while not self._pending:
                self._cond.wait()
            # Let the round gather what the other cameras close meanwhile: a few statements a second for
            # the whole process instead of a few per segment (the profile in docs/capture.md). A flush
            # (a stopping recorder) is written at once.
            deadline = time.monotonic() + BATCH_SECONDS
            while not self._pending.flushed and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
            taken, self._pending = self._pending, _Round()
            return taken

    def _run(self) -> None:
        while True:
            work = self._take()
            rows = self._segment_rows(work.segments)  # hashed once, here: not in a recording thread
            delay = 0.2
            while True:
                try:
                    self._write(work, rows)
                    break
                except (DatabaseError, OSError) as exc:
                    log.warning("database unavailable, index write retried in %.1fs: %s", delay, exc.__class__.__name__)
                    connection.close()
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
            for done in work.flushed:
                done.set()
            # After the rows are written; the sends never block or raise: Redis cannot stall indexing.
            changed, progressed = [], []
            for camera_id, fields in work.statuses.items():
                if not events.is_progress(fields):
                    changed.append(camera_id)
                elif not events.is_quiet(fields):
                    progressed.append(camera_id)
            if changed:
                events.send_status(*changed)
            if progressed:
                events.send_progress(*progressed)

    def _segment_rows(self, segments: list[ClosedSegment]) -> list[Segment]:
        rows = []
        for seg in segments:
            try:
                sha256 = storage.sha256_of(storage.absolute(seg.relpath))
            except OSError as exc:
                # Gone or unreadable already: the reconciler reports what is on disk and not indexed.
                log.warning("segment %s not indexed: %s", seg.relpath, exc)
                continue
            rows.append(
                Segment(
                    camera_id=seg.camera_id,
                    start=seg.start,
                    end=seg.end,
                    bytes=seg.bytes,
                    sha256=sha256,
                    path=seg.relpath,
                    node=self.node,
                    codec=seg.codec,
                    width=seg.width,
                    height=seg.height,
                    clock_source=seg.clock.source,
                    clock_correction_ms=round(seg.clock.correction_s * 1000),
                )
            )
        return rows

    def _write(self, work: _Round, segment_rows: list[Segment]) -> None:
        steps = (
            ("segments", lambda: _insert(Segment, segment_rows)),
            ("gaps", lambda: _insert_gaps(work.gaps)),
            ("statuses", lambda: _write_statuses(work.statuses)),
            ("heartbeats", lambda: _write_heartbeats(work.heartbeats)),
        )
        for name, step in steps:
            if name not in work.done:
                step()
                work.done.add(name)


def _insert(model: type[Segment] | type[Gap], rows: list[Any]) -> None:
    """One INSERT for all rows; rows already indexed are skipped (a retry, or the catch-up scan)."""
    if not rows:
        return
    try:
        model.objects.bulk_create(rows, ignore_conflicts=True)
    except (IntegrityError, DataError):
        # A camera deleted while it was being recorded, or a value the column refuses: that row is
        # dropped (retrying it would stop all indexing), the others are written.
        for row in rows:
            try:
                model.objects.bulk_create([row], ignore_conflicts=True)
            except (IntegrityError, DataError) as exc:
                log.warning("index row of camera %s dropped: %s", row.camera_id, exc)


def _insert_gaps(gaps: list[Gap]) -> None:
    """The gaps, without the time that segments indexed meanwhile hold (another node's, indexed late). A
    retry after an outage inserts them again and carves again, so it ends as consistent."""
    if gaps:
        _insert(Gap, gaps)
        carve_recorded_time(gaps)


def _write_statuses(statuses: dict[int, dict[str, Any]]) -> None:
    # Segment progress has the same fields for every camera: one batch for all of them.
    by_fields: dict[tuple[str, ...], list[CameraStatus]] = {}
    for camera_id, fields in statuses.items():
        by_fields.setdefault(tuple(sorted(fields)), []).append(CameraStatus(camera_id=camera_id, **fields))
    for names, rows in by_fields.items():
        try:
            if _update_rows(names, rows):
                continue
        except (IntegrityError, DataError):
            # One row's value is refused (too long, or against a CHECK such as a positive width): the
            # whole batch is rolled back, so row by row below and only that one is dropped. Not caught,
            # the round would be retried as if the database were away, and indexing would stop for good.
            pass
        for row in rows:
            fields = {name: getattr(row, name) for name in names}
            try:
                # The row is created once, on the first report of a camera.
                if not CameraStatus.objects.filter(camera_id=row.camera_id).update(**fields):
                    CameraStatus.objects.update_or_create(camera_id=row.camera_id, defaults=fields)
            except (IntegrityError, DataError) as exc:
                log.warning("status of camera %s dropped: %s", row.camera_id, exc)


def _update_rows(names: tuple[str, ...], rows: list[CameraStatus]) -> bool:
    """One prepared UPDATE per camera, sent as one batch in one transaction; False unless every row
    existed. This is the capture process's most frequent write: `bulk_update`'s CASE … WHEN
    expressions cost four fifths of the indexer's CPU (docs/capture.md, "the profile")."""
    fields = [CameraStatus._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(CameraStatus._meta.db_table)} SET {assignments} WHERE {quote('camera_id')} = %s"
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields] + [row.camera_id]
        for row in rows
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)
        return cursor.rowcount == len(rows)


def _write_heartbeats(camera_ids: set[int]) -> None:
    if camera_ids:
        CameraStatus.objects.filter(camera_id__in=camera_ids).update(heartbeat_at=timezone.now())


_indexer: Indexer | None = None
_lock = threading.Lock()


def get_indexer() -> Indexer:
    """The process's one indexer, started on first use."""
    global _indexer
    with _lock:
        if _indexer is None:
            from django.conf import settings

            _indexer = Indexer(settings.NODE_NAME)
        return _indexer
