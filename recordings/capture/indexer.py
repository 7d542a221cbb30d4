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
        CameraStatus.objects.update_or_create(camera_id=camera_id, defaults=fields)

    def _next(self) -> Callable[[], None]:
        with self._cond:
            while not self._ops and not self._status:
                self._cond.wait()
            if self._ops:
                return self._ops.popleft()
            camera_id, fields = self._status.popitem()
            return lambda: self._write_status(camera_id, fields)

    def _run(self) -> None:
        while True:
            op = self._next()
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
