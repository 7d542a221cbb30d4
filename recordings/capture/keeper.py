"""One thread per worker process that looks after every recorder in it: leases, heartbeats, configuration.

Doing this per process rather than per camera matters: with 24 cameras, per-camera threads made 24
Redis round trips, 24 heartbeat writes and 48 camera queries every two seconds, which cost the worker
more CPU than recording itself (bench/results/recording.json). Here each round is one Redis pipeline,
one heartbeat UPDATE and one small camera query for all cameras.
"""

import contextlib
import logging
import threading
from datetime import datetime
from typing import Protocol

import redis
from django.conf import settings
from django.db import DatabaseError, connection

from cameras.models import Camera

from . import lease, nodes
from .indexer import get_indexer

log = logging.getLogger(__name__)


class Kept(Protocol):
    """What the keeper needs from a recorder."""

    camera_id: int
    lease: lease.Lease

    def lease_lost(self) -> None: ...

    def camera_gone(self, reason: str) -> None: ...

    def camera_changed(self) -> None: ...


class Keeper:
    """Renews the leases of this process's recorders, reports they are alive, and notices config changes."""

    def __init__(self, *, start: bool = True) -> None:
        # start=False: a keeper whose rounds the caller runs (tests control when a renewal happens).
        self._recorders: dict[int, Kept] = {}
        self._versions: dict[int, datetime] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self.queue: str | None = None  # this capture process's own queue, registered every round (nodes.py)
        self.slots = 0  # cameras this process has recorder threads for (nodes.recorder_slots); 0: unknown
        self._thread = threading.Thread(target=self._run, name="capture-keeper", daemon=True)
        if start:
            self._thread.start()

    def add(self, recorder: Kept, version: datetime | None) -> None:
        with self._lock:
            self._recorders[recorder.camera_id] = recorder
            if version is not None:
                self._versions[recorder.camera_id] = version

    def remove(self, recorder: Kept) -> None:
        with self._lock:
            if self._recorders.get(recorder.camera_id) is recorder:
                del self._recorders[recorder.camera_id]
                self._versions.pop(recorder.camera_id, None)

    def _run(self) -> None:
        interval = settings.CAPTURE_LEASE_SECONDS / 3
        while not self._wake.wait(interval):
            self.register_now()
            with self._lock:
                recorders = dict(self._recorders)
            if not recorders:
                continue
            self.renew_leases(recorders)
            get_indexer().heartbeat(list(recorders))
            self._check_configuration(recorders)

    def register_now(self) -> None:
        """Tell the dispatcher this process is alive (it sends cameras only to live processes)."""
        if self.queue is None:
            return
        with contextlib.suppress(redis.RedisError):  # again next round; recording does not depend on it
            nodes.register(self.queue, slots=self.slots, redis_client=lease.client())

    def unregister(self) -> None:
        if self.queue is None:
            return
        with contextlib.suppress(redis.RedisError):
            nodes.unregister(self.queue, redis_client=lease.client())
        self.queue = None

    def renew_leases(self, recorders: dict[int, Kept]) -> None:
        """Renew every lease in one round trip; tell each recorder whose camera another recorder took."""
        try:
            held = lease.renew_all([r.lease for r in recorders.values()])
        except redis.RedisError:
            return  # keep recording; leases are re-taken when Redis is back
        for recorder, still_held in zip(recorders.values(), held, strict=True):
            if not still_held:
                recorder.lease_lost()

    def _check_configuration(self, recorders: dict[int, Kept]) -> None:
        try:
            rows = dict(
                (pk, (enabled, updated))
                for pk, enabled, updated in Camera.objects.filter(pk__in=list(recorders)).values_list(
                    "pk", "enabled", "updated_at"
                )
            )
        except DatabaseError:
            connection.close()
            return  # keep the configuration we have
        for camera_id, recorder in recorders.items():
            if camera_id not in rows:
                recorder.camera_gone("deleted")
                continue
            enabled, updated = rows[camera_id]
            if not enabled:
                recorder.camera_gone("disabled")
            elif self._versions.get(camera_id) != updated:
                self._versions[camera_id] = updated
                recorder.camera_changed()


_keeper: Keeper | None = None
_lock = threading.Lock()


def get_keeper() -> Keeper:
    """The process's one keeper, started on first use."""
    global _keeper
    with _lock:
        if _keeper is None:
            _keeper = Keeper()
        return _keeper
