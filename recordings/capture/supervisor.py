"""Looks after one camera for as long as its lease is held: sessions, reconnects, gaps and status."""

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from cameras.choices import CameraState
from cameras.models import Camera, CameraStatus
from cameras.reasons import reason_code
from recordings.choices import GapCause
from recordings.querysets import CONTIGUOUS

from .catch_up import catch_up_camera
from .indexer import get_indexer
from .keeper import Keeper, get_keeper
from .lease import Lease, new_holder_id
from .nodes import holder_process
from .session import CameraSource, ClosedSegment, RecordingSession, SessionError, StreamInfo

log = logging.getLogger(__name__)
T = TypeVar("T")

_shutdown = threading.Event()
_running: set["CameraRecorder"] = set()
_running_lock = threading.Lock()
# After this, recorders still inside a blocking read of a hung camera are left behind: their files are
# flushed every FLUSH_SECONDS (session.py) and the next recorder of the camera indexes what they hold.
SHUTDOWN_GRACE_SECONDS = 2.0
# Recorders of this process reading the database to start at the same time (see CameraRecorder._start).
_startup_slots = threading.BoundedSemaphore(4)


def request_shutdown(*, exit_when_stuck: bool = False) -> None:
    """Stop every recorder of this process (worker warm shutdown); each closes its segment first.

    Every waiting recorder wakes at once (backoffs and database waits use its stop event). With
    `exit_when_stuck`, a watchdog ends the process once the grace period is over and the index is
    flushed, so a camera that hangs inside ffmpeg never holds the worker's shutdown."""
    _shutdown.set()
    with _running_lock:
        recorders = list(_running)
    for recorder in recorders:
        recorder.stop.set()
    if exit_when_stuck and recorders:
        threading.Thread(target=_exit_when_stuck, name="capture-shutdown", daemon=True).start()


def _exit_when_stuck() -> None:
    deadline = time.monotonic() + SHUTDOWN_GRACE_SECONDS
    while time.monotonic() < deadline:
        with _running_lock:
            if not _running:
                return
        time.sleep(0.05)
    with _running_lock:
        stuck = sorted(r.camera_id for r in _running)
    log.warning("cameras %s still inside a blocking read after %.0f s: exiting", stuck, SHUTDOWN_GRACE_SECONDS)
    get_indexer().flush(timeout=1.0)
    os._exit(0)


def load_source(camera_id: int) -> CameraSource | None:
    """The camera's current connection details, or None when it is disabled, decommissioned or gone."""
    camera = Camera.objects.recordable().filter(pk=camera_id).first()
    if camera is None:
        return None
    return CameraSource(camera_id=camera.pk, url=camera.connection_url(), secrets=tuple(camera.secrets()))


class CameraRecorder:
    """Records one camera until it is disabled or deleted, the lease is lost, or the worker stops."""

    def __init__(self, camera_id: int) -> None:
        self.camera_id = camera_id
        self.holder = new_holder_id()
        self.lease = Lease(camera_id, self.holder)
        self.indexer = get_indexer()
        self.stop = threading.Event()  # end the recorder
        self.restart = threading.Event()  # end the session, start another (configuration changed)
        self.stop_reason = ""
        self.source: CameraSource | None = None
        self.state: str | None = None
        self.last_end: datetime | None = None
        self.gap_cause: str | None = None
        self.gap_detail = ""
        self.last_failure = ""

    # --- lifetime -------------------------------------------------------------------------------
    def run(self) -> str:
        with _running_lock:
            _running.add(self)
            if _shutdown.is_set():
                self.stop.set()
        try:
            return self._run()
        finally:
            with _running_lock:
                _running.discard(self)

    def _run(self) -> str:
        try:
            if not self.lease.acquire():
                return f"camera {self.camera_id} is already being recorded"
        except redis.RedisError:
            return f"camera {self.camera_id}: Redis unavailable, the dispatcher will try again"
        keeper = get_keeper()
        try:
            if not self._start(keeper):
                self._set_state(CameraState.DISABLED)
                return f"camera {self.camera_id} is disabled or deleted"
            self._record()
            return f"camera {self.camera_id} stopped: {self.stop_reason or 'worker shutdown'}"
        finally:
            self.stop.set()
            keeper.remove(self)
            if self.stop_reason == "disabled":
                self._set_state(CameraState.DISABLED)
            # A warm shutdown waits for this task: let the last segment reach the index first.
            self.indexer.flush(timeout=5)
            with contextlib.suppress(redis.RedisError):  # it expires by itself
                self.lease.release()
            connection.close()

    def _start(self, keeper: Keeper) -> bool:
        """Read the camera and catch up on its files; False when it is disabled or gone.

        The only database work of this thread, a few at a time per process, and its connection closed
        after: recording needs none here (the indexer and keeper threads write and read), and 96
        recorders starting together, each keeping its connection, exhausted a busy server's."""
        with _startup_slots:
            try:
                self.source = self._wait_for_database(lambda: load_source(self.camera_id))
                if self.source is None:
                    return False
                self.last_end = self._wait_for_database(self._catch_up)
                keeper.add(self, self._wait_for_database(self._version))
                return True
            finally:
                connection.close()

    def _stopping(self) -> bool:
        return self.stop.is_set() or _shutdown.is_set()

    def _version(self) -> datetime | None:
        return Camera.objects.filter(pk=self.camera_id).values_list("updated_at", flat=True).first()

    def _catch_up(self) -> datetime | None:
        previous, recorder = CameraStatus.objects.filter(camera_id=self.camera_id).values_list(
            "state", "recorder"
        ).first() or (None, "")
        self.gap_cause = GapCause.CAMERA_DISABLED if previous == CameraState.DISABLED else GapCause.RECORDER_RESTARTED
        prior = holder_process(recorder) if recorder else None
        if prior is not None and prior[0] != settings.NODE_NAME:
            # The camera moves here from another node (it died or lost its lease): the gap says so.
            self.gap_detail = f"The capture node {prior[0]} stopped recording; node {settings.NODE_NAME} took over."
        return catch_up_camera(camera_id=self.camera_id)

    def _wait_for_database(self, read: Callable[[], T]) -> T | None:
        """Starting needs the database (the camera's URL is there); wait for it rather than give up."""
        delay = 0.5
        while not self._stopping():
            try:
                return read()
            except DatabaseError:
                connection.close()
                self.stop.wait(delay)
                delay = min(delay * 2, 5.0)
        return None

    # --- sessions -------------------------------------------------------------------------------
    def _record(self) -> None:
        failures = 0
        while not self._stopping():
            self.restart.clear()
            if self.state not in (CameraState.OFFLINE, CameraState.ERROR):
                # A retry during an outage stays "offline/error since <first failure>" for the operator.
                self._set_state(CameraState.CONNECTING)
            got_segment = threading.Event()
            session = RecordingSession(
                self.source,
                on_started=self._on_started,
                on_segment=lambda seg, got=got_segment: (got.set(), self._on_segment(seg)),
                should_stop=lambda: self._stopping() or self.restart.is_set(),
            )
            error = session.run()
            if got_segment.is_set():
                failures = 0
            if self._stopping():
                break
            if error is None:  # configuration changed: reconnect at once
                self._note_gap_cause(GapCause.RECORDER_RESTARTED, "The camera's configuration changed.")
                continue
            failures += 1
            self._on_failure(error, first=failures == 1)
            slow = error.needs_attention
            cap = settings.CAPTURE_ERROR_RETRY_MAX_SECONDS if slow else settings.CAPTURE_RETRY_MAX_SECONDS
            self.stop.wait(min(cap, 0.5 * 2 ** (failures - 1)))

    def _on_started(self, info: StreamInfo) -> None:
        self._set_state(
            CameraState.RECORDING,
            codec=info.codec,
            width=info.width,
            height=info.height,
            fps=info.fps,
            audio_dropped=info.audio_dropped,
        )

    def _on_segment(self, seg: ClosedSegment) -> None:
        if self.last_end is not None and seg.start - self.last_end > CONTIGUOUS:
            self.indexer.gap(
                self.camera_id, self.last_end, seg.start, self.gap_cause or GapCause.UNKNOWN, self.gap_detail
            )
        self.gap_cause, self.gap_detail = None, ""
        self.last_end = max(self.last_end, seg.end) if self.last_end else seg.end
        self.indexer.segment(seg)

    def _on_failure(self, error: SessionError, *, first: bool) -> None:
        message = self._scrub(error.message)
        self._note_gap_cause(error.cause, message)
        if first or message != self.last_failure:
            log.info("camera %s: %s", self.camera_id, message)
        self.last_failure = message
        # The status row keeps a code (cameras/reasons.py): each reader sees the reason in their language.
        state = CameraState.ERROR if error.needs_attention else CameraState.OFFLINE
        self._set_state(state, reason=reason_code(message))

    def _note_gap_cause(self, cause: str, detail: str) -> None:
        # The first failure explains the gap; later retries during the same outage do not replace it.
        if self.gap_cause is None:
            self.gap_cause, self.gap_detail = cause, detail

    def _scrub(self, text: str) -> str:
        for secret in self.source.secrets if self.source else ():
            text = text.replace(secret, "***")
        return text

    def _set_state(self, state: str, reason: str = "", **fields: object) -> None:
        now = timezone.now()
        if state != self.state:
            fields["since"] = now
            self.state = state
        # Every report is also a sign of life: without it a fresh status would read as "no recorder".
        self.indexer.status(
            self.camera_id, state=state, reason=reason[:255], heartbeat_at=now, recorder=self.holder, **fields
        )

    # --- called by the process's keeper thread ---------------------------------------------------
    def lease_lost(self) -> None:
        self.stop_reason = "another recorder took the camera"
        self.stop.set()

    def camera_gone(self, reason: str) -> None:
        self.stop_reason = reason
        self.stop.set()

    def camera_changed(self) -> None:
        try:
            source = load_source(self.camera_id)
        except DatabaseError:
            connection.close()
            return  # keep the configuration we have
        if source is None:
            self.camera_gone("disabled")
        elif source != self.source:
            self.source = source
            self.restart.set()
