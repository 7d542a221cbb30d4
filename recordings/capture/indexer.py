"""Writes what the recorders of this process report into the database, in order, through outages.

Recording threads never touch the database: they hand closed segments, gaps and status changes to
this one thread. When the database is unreachable the work waits in memory and is retried; files are
on disk already, and a recorder that dies meanwhile has its files indexed by the catch-up scan of the
next recorder of that camera.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection
from django.utils import timezone

from cameras import events
from cameras.models import CameraStatus
from recordings.models import Gap, Segment

from . import storage
from .session import ClosedSegment

log = logging.getLogger(__name__)


class Indexer:
    """A queue of database writes with a single writer thread."""

    def __init__(self, node: str) -> None:
        self.node = node
        self._ops: deque[Callable[[], None]] = deque()
        self._status: dict[int, dict[str, Any]] = {}
        self._heartbeats: set[int] = set()
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="indexer", daemon=True)
        self._thread.start()

    def segment(self, seg: ClosedSegment) -> None:
        self._push(lambda: self._write_segment(seg))
        self.status(
            seg.camera_id,
            last_segment_end=seg.end,
            bitrate_kbps=round(seg.bitrate_kbps, 1),
            clock_offset_s=seg.clock_offset_s,
        )

    def gap(self, camera_id: int, start: datetime, end: datetime, cause: str, detail: str = "") -> None:
        gap = Gap(camera_id=camera_id, start=start, end=end, cause=cause, detail=detail[:255])
        self._push(lambda: Gap.objects.bulk_create([gap], ignore_conflicts=True))

    def heartbeat(self, camera_ids: list[int]) -> None:
        """These cameras' recorders are alive: one UPDATE for all, coalesced while the database is away."""
        with self._cond:
            self._heartbeats.update(camera_ids)
            self._cond.notify()

    def status(self, camera_id: int, **fields: Any) -> None:
        """Status changes are merged per camera: only the latest value of each field is written."""
        with self._cond:
            self._status.setdefault(camera_id, {}).update(fields)
            self._cond.notify()

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued before this call is written (False if the database is away)."""
        done = threading.Event()
        self._push(done.set)
        return done.wait(timeout)

    def _push(self, op: Callable[[], None]) -> None:
        with self._cond:
            self._ops.append(op)
            self._cond.notify()

    def _write_segment(self, seg: ClosedSegment) -> None:
        path = storage.absolute(seg.relpath)
        sha = storage.sha256_of(path)
        row = Segment(
            camera_id=seg.camera_id,
            start=seg.start,
            end=seg.end,
            bytes=seg.bytes,
            sha256=sha,
            path=seg.relpath,
            node=self.node,
            codec=seg.codec,
            width=seg.width,
            height=seg.height,
        )
        Segment.objects.bulk_create([row], ignore_conflicts=True)

    def _write_status(self, camera_id: int, fields: dict[str, Any]) -> None:
        # An UPDATE is one statement; the row is created once, on the first report of a camera.
        if not CameraStatus.objects.filter(camera_id=camera_id).update(**fields):
            CameraStatus.objects.update_or_create(camera_id=camera_id, defaults=fields)

    def _write_heartbeats(self, camera_ids: set[int]) -> None:
        CameraStatus.objects.filter(camera_id__in=camera_ids).update(heartbeat_at=timezone.now())

    def _next(self) -> tuple[Callable[[], None], Callable[[], None] | None]:
        """The next write, and what to do once it is written (tell the dashboards about a status)."""
        with self._cond:
            while not self._ops and not self._status and not self._heartbeats:
                self._cond.wait()
            if self._ops:
                return self._ops.popleft(), None
            if not self._status:
                camera_ids, self._heartbeats = self._heartbeats, set()
                return (lambda: self._write_heartbeats(camera_ids)), None
            camera_id, fields = self._status.popitem()
            announce = None if events.is_quiet(fields, camera_id) else (lambda: events.send_status(camera_id))
            return (lambda: self._write_status(camera_id, fields)), announce

    def _run(self) -> None:
        while True:
            op, announce = self._next()
            delay = 0.2
            while True:
                try:
                    op()
                    break
                except IntegrityError as exc:
                    # The camera was deleted while it was being recorded: nothing to attach the row to.
                    log.warning("index write dropped: %s", exc.__class__.__name__)
                    break
                except (DatabaseError, OSError) as exc:
                    log.warning("database unavailable, index write retried in %.1fs: %s", delay, exc.__class__.__name__)
                    connection.close()
                    time.sleep(delay)
                    delay = min(delay * 2, 2.0)
            if announce is not None:
                # Outside the retry loop, and send_status never blocks or raises: Redis cannot stall indexing.
                announce()


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
