"""Periodic checks that open and close alarms about the cameras' recorders."""

from celery import shared_task

from cameras.models import CameraStatus

from .choices import AlarmKind, Severity
from .models import Alarm
from .services import set_alarm


@shared_task(ignore_result=True)
def check_stream_clocks() -> int:
    """A camera whose timestamps run fast or slow, or keep being re-anchored, has an open alarm:
    its times are corrected, but its clock (or its encoder) needs a person's look."""
    open_for = set(Alarm.objects.open().filter(kind=AlarmKind.STREAM_CLOCK).values_list("camera_id", flat=True))
    raised = 0
    for status in CameraStatus.objects.filter(camera__enabled=True):
        unreliable = status.clock_is_unreliable()
        if unreliable or status.camera_id in open_for:
            set_alarm(
                active=unreliable,
                kind=AlarmKind.STREAM_CLOCK,
                camera_id=status.camera_id,
                severity=Severity.WARNING,
            )
            raised += unreliable
    return raised
