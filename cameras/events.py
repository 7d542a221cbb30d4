"""Camera status events: the one typed helper that pushes a status change to open dashboards.

Callers (the recorder's indexer, the admin) never wait for Redis and never see its errors: events go
through a queue to one sender thread per process, which reads the status once and sends it to the
Channels group that every dashboard connection listens to.
"""

import asyncio
import logging
import queue
import threading
import time
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

log = logging.getLogger(__name__)

STATUS_GROUP = "camera-status"
EVENT_TYPE = "status.changed"
# Fields that change on every heartbeat or segment without changing what a tile says about the camera.
_QUIET_FIELDS = frozenset({"heartbeat_at", "recorder"})
_SEND_TIMEOUT_S = 2.0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def status_payload(camera: Any, now: datetime | None = None) -> dict[str, Any]:
    """What a dashboard tile shows about a camera (with `status` and `eldership` loaded)."""
    status = getattr(camera, "status", None)
    if status is None:
        from cameras.models import CameraStatus

        status = CameraStatus(camera=camera, heartbeat_at=None)
    now = now or timezone.now()
    state, reason = status.effective_state(now)
    heartbeat_age = (now - status.heartbeat_at).total_seconds() if status.heartbeat_at else None
    # No recorder reporting: the page says so in its own language (this payload is built once for all).
    stale = camera.enabled and (heartbeat_age is None or heartbeat_age > settings.STATUS_STALE_SECONDS)
    return {
        "camera_id": camera.pk,
        "state": str(state),
        "reason": "" if stale else str(reason),
        "stale": stale,
        "since": _iso(status.since),
        "last_segment_end": _iso(status.last_segment_end),
        "bitrate_kbps": status.bitrate_kbps,
        "heartbeat_at": _iso(status.heartbeat_at),
        "stale_after_s": settings.STATUS_STALE_SECONDS,
        "alarms": [
            {"kind": a.kind, "severity": a.severity, "message": str(a.message or a.get_kind_display())}
            for a in camera.alarms.open().order_by("started_at")
        ],
        "sent_at": timezone.now().isoformat(),
    }


# Fields a new segment changes: the tile's "age of the last segment" ticks in the browser, so these are
# sent at most every PROGRESS_INTERVAL_S per camera (an event per segment of every camera cost the
# capture worker more CPU than recording; see bench/results/recording.json).
_PROGRESS_FIELDS = _QUIET_FIELDS | {"last_segment_end", "bitrate_kbps", "clock_offset_s"}
PROGRESS_INTERVAL_S = 5.0
_last_progress: dict[int, float] = {}


def is_quiet(fields: dict[str, Any], camera_id: int | None = None) -> bool:
    """No event for this status write: a heartbeat, or segment progress sent less than
    PROGRESS_INTERVAL_S ago. A change of state or reason is never quiet."""
    keys = set(fields)
    if keys <= _QUIET_FIELDS:
        return True
    if camera_id is None or not keys <= _PROGRESS_FIELDS:
        return False
    now = time.monotonic()
    if now - _last_progress.get(camera_id, 0.0) < PROGRESS_INTERVAL_S:
        return True
    _last_progress[camera_id] = now
    return False


def send_status(camera_id: int) -> None:
    """Queue a status event for this camera. Never blocks, never raises."""
    _Sender.get().put(camera_id)


class _Sender:
    """One daemon thread per process with its own event loop (channels-redis pools are per loop)."""

    _instance: "_Sender | None" = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._pending: set[int] = set()
        self._pending_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="status-events", daemon=True)
        self._thread.start()

    @classmethod
    def get(cls) -> "_Sender":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def put(self, camera_id: int) -> None:
        with self._pending_lock:
            # A camera already waiting to be sent is sent once, with its newest status.
            if camera_id in self._pending:
                return
            self._pending.add(camera_id)
        self._queue.put(camera_id)

    def _run(self) -> None:
        from channels.layers import get_channel_layer

        loop = asyncio.new_event_loop()
        layer = get_channel_layer()
        while True:
            camera_id = self._queue.get()
            with self._pending_lock:
                self._pending.discard(camera_id)
            try:
                payload = self._payload(camera_id)
                if payload is None or layer is None:
                    continue
                message = {"type": EVENT_TYPE, "status": payload}
                loop.run_until_complete(asyncio.wait_for(layer.group_send(STATUS_GROUP, message), _SEND_TIMEOUT_S))
            except (DatabaseError, OSError, TimeoutError, ConnectionError) as exc:
                log.warning("status event for camera %s not sent: %s", camera_id, exc.__class__.__name__)
            except Exception as exc:  # noqa: BLE001 - a Redis client error must never kill the sender
                log.warning("status event for camera %s not sent: %s", camera_id, exc.__class__.__name__)

    @staticmethod
    def _payload(camera_id: int) -> dict[str, Any] | None:
        from cameras.models import Camera

        try:
            camera = Camera.objects.with_status().filter(pk=camera_id).first()
        except DatabaseError:
            connection.close()  # reconnect next time; one event is lost, the next status brings it all
            raise
        return status_payload(camera) if camera else None
