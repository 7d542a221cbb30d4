"""What is wrong with a camera now, derived from the truth the recorder writes (docs/incidents.md).

offline: no recorder reporting (CameraStatus.is_stale, the one status rule) or a recorder that says the
  stream is gone (offline, error, connecting);
not_writing: the recorder says it records, but the newest Segment ended too long ago;
frozen: segments keep coming, but their first keyframes show the same picture (incidents/frozen.py).
A camera that is offline says nothing about writing or its picture, and one that is not writing nothing
about its picture: those conditions are `None` (unknown), which neither opens nor ends an incident.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils.translation import gettext_noop

from cameras.choices import CameraState
from cameras.models import Camera, CameraStatus

from .choices import IncidentKind

if TYPE_CHECKING:  # the web process (/readyz reads DETECTED_KEY) need not load OpenCV
    from .frozen import Picture

# When detection last ran (epoch seconds in Redis), for /readyz.
DETECTED_KEY = "vms:incidents:detected"


@dataclass(frozen=True)
class Condition:
    failing: bool
    since: datetime | None = None  # when the failure began, or (not failing) when it recovered, if known
    detail: str = ""
    grace: float | None = None  # how long it must hold to be an incident, when not the kind's own

    def due(self, now: datetime, grace: float) -> bool:
        """Failing for at least its grace (or `grace`) seconds."""
        wait = grace if self.grace is None else self.grace
        return self.failing and self.since is not None and (now - self.since).total_seconds() >= wait


OK = Condition(failing=False)
FIRST_REPORT_SECONDS = 60.0
LOST_STREAM_WINDOW = timedelta(seconds=60)


def conditions(
    camera: Camera, *, newest_end: datetime | None, picture: "Picture | None", now: datetime
) -> dict[str, Condition | None]:
    """Each kind's condition of an enabled, in-service camera."""
    status: CameraStatus | None = getattr(camera, "status", None)
    result: dict[str, Condition | None] = dict.fromkeys(IncidentKind.values)
    if status is None or status.heartbeat_at is None or status.state == CameraState.DISABLED:
        # A camera just added or enabled again, or an installation just started, gets a minute for its
        # first connection (a status still saying "disabled" is from before it was enabled).
        since = max(status.since, camera.updated_at) if status is not None else camera.created_at
        result[IncidentKind.OFFLINE] = Condition(
            True,
            since,
            gettext_noop("No recorder has reported on this camera yet."),
            grace=max(settings.INCIDENT_GRACE_SECONDS, FIRST_REPORT_SECONDS),
        )
        return result
    if status.is_stale(now):
        # A change of the camera restarts its recorder: silence counts from the later of the two.
        result[IncidentKind.OFFLINE] = Condition(
            True, max(status.heartbeat_at, camera.updated_at), gettext_noop("No recorder is reporting for this camera.")
        )
        return result
    if status.state != CameraState.RECORDING:
        # A lost stream goes recording → connecting → offline, each state with its own `since`: the
        # footage's end, when just before, is when it failed.
        failed = status.since
        if newest_end is not None and status.since - LOST_STREAM_WINDOW <= newest_end <= status.since:
            failed = newest_end
        result[IncidentKind.OFFLINE] = Condition(True, failed, status.reason)
        return result
    # Recovered from being offline when recording (re)started.
    result[IncidentKind.OFFLINE] = Condition(False, status.since)
    # Writing since the newest segment's end, or since recording (re)started: footage from before an
    # outage is old without anything being wrong now.
    written = max(filter(None, [newest_end, status.since]))
    if (now - written).total_seconds() >= settings.INCIDENT_NOT_WRITING_SECONDS:
        result[IncidentKind.NOT_WRITING] = Condition(True, written, "")
        return result
    result[IncidentKind.NOT_WRITING] = OK
    if picture is not None and picture.seen_at >= status.since - timedelta(seconds=settings.SEGMENT_SECONDS):
        frozen = picture.unchanged_seconds() >= settings.INCIDENT_FROZEN_SECONDS
        result[IncidentKind.FROZEN] = Condition(True, picture.changed_at, "") if frozen else OK
    return result


def grace_seconds(kind: str) -> float:
    """How long a condition must hold before it is an incident (not_writing and frozen have their
    threshold built into the condition)."""
    return settings.INCIDENT_GRACE_SECONDS if kind == IncidentKind.OFFLINE else 0.0
