"""Raising and clearing alarms; both are idempotent per (kind, camera)."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cameras.events import send_status, send_system_changed

from .choices import Severity
from .models import Alarm


def raise_alarm(
    *,
    kind: str,
    camera_id: int | None,
    severity: str,
    params: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Alarm:
    """Open the alarm, or refresh the figures and severity of the one already open. `params` are the
    figures of the kind's text (alarms/texts.py), JSON values only: the text is rendered when shown."""
    params = params or {}
    now = now or timezone.now()
    for _attempt in range(3):
        try:
            with transaction.atomic():
                alarm = Alarm.objects.select_for_update().open().filter(kind=kind, camera_id=camera_id).first()
                if alarm is None:
                    _announce(camera_id)
                    return Alarm.objects.create(
                        kind=kind,
                        camera_id=camera_id,
                        severity=severity,
                        params=params,
                        started_at=now,
                        updated_at=now,
                    )
                if (alarm.severity, alarm.params) != (severity, params):
                    alarm.severity, alarm.params, alarm.updated_at = severity, params, now
                    alarm.save(update_fields=["severity", "params", "updated_at"])
                    _announce(camera_id)
                return alarm
        except IntegrityError:
            continue  # another worker opened it at the same moment: update that one
    raise RuntimeError(f"could not raise alarm {kind} for camera {camera_id}")


def clear_alarm(*, kind: str, camera_id: int | None, now: datetime | None = None) -> bool:
    """End the open alarm, if any; True if one was ended."""
    now = now or timezone.now()
    ended = bool(Alarm.objects.open().filter(kind=kind, camera_id=camera_id).update(ended_at=now, updated_at=now))
    if ended:
        _announce(camera_id)
    return ended


def _announce(camera_id: int | None) -> None:
    """A camera's alarms are part of its tile, system-wide ones are the dashboard's banner: tell open
    dashboards once the change is committed."""
    if camera_id is None:
        transaction.on_commit(send_system_changed)
    else:
        transaction.on_commit(lambda: send_status(camera_id))


def set_alarm(
    *,
    active: bool,
    kind: str,
    camera_id: int | None,
    params: dict[str, Any] | None = None,
    severity: str = Severity.WARNING,
) -> None:
    """Raise or clear depending on a condition checked by a periodic task."""
    if active:
        raise_alarm(kind=kind, camera_id=camera_id, severity=severity, params=params)
    else:
        clear_alarm(kind=kind, camera_id=camera_id)


def end_alarms_of_decommissioned(*, camera: Any, at: datetime, **kwargs: object) -> None:
    """Conditions of a camera no one records any more (unreachable, short of retention) are over.
    Connected to cameras' camera_decommissioned signal; runs in the decommissioning transaction."""
    Alarm.objects.filter(camera=camera, ended_at__isnull=True).update(ended_at=at, updated_at=at)
