"""Camera status events: the one typed helper that pushes a status change to open dashboards.

Callers (the recorder's indexer, the admin) never wait for Redis and never see its errors: events go
through a queue to one sender thread per process, which reads the status once and sends it to the
Channels group that every dashboard connection listens to.
"""

import asyncio
import logging
import threading
import time
from datetime import datetime
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

from .choices import CameraState
from .models import Camera, CameraStatus

log = logging.getLogger(__name__)

STATUS_GROUP = "camera-status"
EVENT_TYPE = "status.changed"
SYSTEM_EVENT_TYPE = "system.changed"
# Fields that change on every heartbeat or segment without changing what a tile says about the camera.
_QUIET_FIELDS = frozenset({"heartbeat_at", "recorder"})
_SEND_TIMEOUT_S = 2.0


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _open_alarms(camera: Any) -> Any:
    alarms = getattr(camera, "open_alarms", None)  # prefetched by CameraQuerySet.with_status
    return alarms if alarms is not None else camera.alarms.open().order_by("started_at")


def status_payload(camera: Any, now: datetime | None = None) -> dict[str, Any]:
    """What a dashboard tile shows about a camera (with `status` and `eldership` loaded)."""
    status = getattr(camera, "status", None)
    if status is None:
        status = CameraStatus(camera=camera, heartbeat_at=None)
    now = now or timezone.now()
    # Codes and figures only: this payload is built once for all readers, and each websocket consumer
    # renders the texts in its own reader's language (dashboard/texts.py).
    state, reason = status.effective(now)
    # No recorder reporting: the page says so from its own strings.
    stale = status.is_stale(now)
    # The browser turns a tile offline at `stale_at` unless a newer event came first. Only a recording
    # camera is heard from on its own (its segments are sent at least every PROGRESS_INTERVAL_S, each with
    # the newest heartbeat); heartbeats alone send nothing, so other states are not expired by the browser.
    stale_at = status.stale_at() if state == CameraState.RECORDING else None
    return {
        "camera_id": camera.pk,
        "state": str(state),
        "reason_code": "" if stale else reason,
        "stale": stale,
        "since": _iso(status.since),
        "last_segment_end": _iso(status.last_segment_end),
        "bitrate_kbps": status.bitrate_kbps,
        "heartbeat_at": _iso(status.heartbeat_at),
        "stale_at": _iso(stale_at),
        "alarms": [
            {"id": a.pk, "kind": a.kind, "severity": a.severity, "params": a.params} for a in _open_alarms(camera)
        ],
        "sent_at": timezone.now().isoformat(),
    }


# Fields a new segment changes: the tile's "age of the last segment" ticks in the browser, so these are
# sent on a tick every PROGRESS_INTERVAL_S, all cameras of the process in one message (an event per
# segment of every camera cost the capture worker more CPU than recording; one per camera every 5 s
# still cost a query round per indexer round: bench/results/recording.json).
_PROGRESS_FIELDS = _QUIET_FIELDS | {
    "last_segment_end",
    "bitrate_kbps",
    "clock_offset_s",
    "camera_clock_unset",
    "clock_source",
    "clock_rate",
    "clock_steps",
}
PROGRESS_INTERVAL_S = 5.0


def is_quiet(fields: dict[str, Any]) -> bool:
    """No event for this status write: only the heartbeat or the recorder's name changed."""
    return set(fields) <= _QUIET_FIELDS


def is_progress(fields: dict[str, Any]) -> bool:
    """Segment progress only: sent on the next progress tick, not at once. A change of state or
    reason is never progress."""
    return set(fields) <= _PROGRESS_FIELDS


def send_status(*camera_ids: int) -> None:
    """Queue status events for these cameras. Never blocks, never raises."""
    _Sender.get().put(camera_ids)


def send_progress(*camera_ids: int) -> None:
    """Queue these cameras' segment progress for the next tick. Never blocks, never raises."""
    _Sender.get().put(camera_ids, progress=True)


def send_system_changed() -> None:
    """Tell open dashboards that the system-wide conditions (alarms without a camera) changed; each
    connection reads them again for its user. Never blocks, never raises."""
    _Sender.get().put((), system=True)


class _Sender:
    """One daemon thread per process with its own event loop (channels-redis pools are per loop).

    It sends whatever is pending as one message: the statuses of all cameras that changed since its
    last send, read in one query (a site's cameras report their segments at about the same moment)."""

    _instance: "_Sender | None" = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        self._pending: set[int] = set()
        self._progress: set[int] = set()
        self._progress_due = 0.0  # time.monotonic() of the next progress tick
        self._system = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="status-events", daemon=True)
        self._thread.start()

    @classmethod
    def get(cls) -> "_Sender":
        with cls._lock:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def put(self, camera_ids: tuple[int, ...], *, system: bool = False, progress: bool = False) -> None:
        with self._cond:
            # The thread already waits for the tick when progress is pending: more progress needs no
            # wake-up (every indexer round sends some, a few times a second per process).
            ticking = progress and bool(self._progress)
            # A camera already waiting to be sent is sent once, with its newest status.
            (self._progress if progress else self._pending).update(camera_ids)
            self._system = self._system or system
            if not ticking:
                self._cond.notify()

    def _take(self) -> tuple[set[int], bool]:
        with self._cond:
            while True:
                now = time.monotonic()
                if self._progress and now >= self._progress_due:
                    self._pending |= self._progress
                    self._progress = set()
                    self._progress_due = now + PROGRESS_INTERVAL_S
                if self._pending or self._system:
                    break
                self._cond.wait(self._progress_due - now if self._progress else None)
            taken, system = self._pending, self._system
            self._pending, self._system = set(), False
            self._progress -= taken  # sent now with its newest status
            return taken, system

    def _run(self) -> None:
        from channels.layers import get_channel_layer

        loop = asyncio.new_event_loop()
        layer = get_channel_layer()
        while True:
            camera_ids, system = self._take()
            if system and layer is not None:
                try:
                    send = layer.group_send(STATUS_GROUP, {"type": SYSTEM_EVENT_TYPE})
                    loop.run_until_complete(asyncio.wait_for(send, _SEND_TIMEOUT_S))
                except Exception as exc:  # noqa: BLE001 - a Redis client error must never kill the sender
                    log.warning("system alarm event not sent: %s", exc.__class__.__name__)
            try:
                statuses = self._payloads(camera_ids) if camera_ids else []
                if not statuses or layer is None:
                    continue
                message = {"type": EVENT_TYPE, "statuses": statuses}
                loop.run_until_complete(asyncio.wait_for(layer.group_send(STATUS_GROUP, message), _SEND_TIMEOUT_S))
            except (DatabaseError, OSError, TimeoutError, ConnectionError) as exc:
                log.warning("status events for cameras %s not sent: %s", sorted(camera_ids), exc.__class__.__name__)
            except Exception as exc:  # noqa: BLE001 - a Redis client error must never kill the sender
                log.warning("status events for cameras %s not sent: %s", sorted(camera_ids), exc.__class__.__name__)

    @staticmethod
    def _payloads(camera_ids: set[int]) -> list[dict[str, Any]]:
        try:
            now = timezone.now()
            cameras = Camera.objects.in_service().with_status().filter(pk__in=camera_ids)
            return [status_payload(camera, now) for camera in cameras]
        except DatabaseError:
            connection.close()  # reconnect next time; these events are lost, the next status brings it all
            raise
