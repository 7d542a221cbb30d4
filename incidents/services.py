"""Opening, grouping, ending and acknowledging incidents; each step says which notices it owes.

The grouping rule (docs/incidents.md): a camera that recovers and fails again within
INCIDENT_QUIET_SECONDS continues the same incident, and the recovery notice waits until it has stayed
well for that long, so a flapping camera sends one alert and one recovery notice. An incident nobody
acknowledged is announced again every INCIDENT_RENOTIFY_MINUTES while it lasts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.choices import AuditAction
from audit.services import record

from . import notify
from .choices import IncidentKind, Notice
from .detection import Condition, grace_seconds
from .models import Incident

NOTE_MAX_LENGTH = 2000


@dataclass(frozen=True)
class Change:
    """What happened to an incident in one step: `notice` goes to email and webhook, every change to
    the dashboard."""

    incident_id: int
    notice: str | None


def step(*, camera_id: int, kind: str, condition: Condition | None, now: datetime) -> Change | None:
    """Bring the camera's incident of this kind up to date with its condition; None when nothing changed."""
    if condition is None:
        return None
    for _attempt in range(3):
        try:
            with transaction.atomic():
                incident = Incident.objects.select_for_update().open().filter(camera_id=camera_id, kind=kind).first()
                return _step(incident, camera_id=camera_id, kind=kind, condition=condition, now=now)
        except IntegrityError:
            continue  # another run opened it at the same moment: step that one
    return None


def _step(
    incident: Incident | None, *, camera_id: int, kind: str, condition: Condition, now: datetime
) -> Change | None:
    if incident is None:
        if not condition.due(now, grace_seconds(kind)):
            return None
        incident = Incident.objects.create(
            camera_id=camera_id,
            kind=kind,
            started_at=min(condition.since or now, now),
            detail=condition.detail[:255],
            notified_at=now,
            last_notified_at=now,
            notifications=1,
        )
        return Change(incident.pk, Notice.FAILED)
    if condition.failing:
        if incident.cleared_at is not None:
            # Failed again within the quiet period: the same incident, no new alert.
            incident.cleared_at = None
            incident.flaps += 1
            incident.save(update_fields=["cleared_at", "flaps", "updated_at"])
            return Change(incident.pk, None)
        renotify = timedelta(minutes=settings.INCIDENT_RENOTIFY_MINUTES)
        if incident.acknowledged_at is None and now - (incident.last_notified_at or incident.started_at) >= renotify:
            incident.last_notified_at = now
            incident.notifications += 1
            incident.save(update_fields=["last_notified_at", "notifications", "updated_at"])
            return Change(incident.pk, Notice.REMINDER)
        return None
    if incident.cleared_at is None:
        # Recovered at the instant the condition says (recording restarted), never before the failure.
        incident.cleared_at = min(max(condition.since or now, incident.started_at), now)
        incident.save(update_fields=["cleared_at", "updated_at"])
        return Change(incident.pk, None)
    if (now - incident.cleared_at).total_seconds() >= settings.INCIDENT_QUIET_SECONDS:
        incident.ended_at = incident.cleared_at
        incident.recovery_notified_at = now
        incident.save(update_fields=["ended_at", "recovery_notified_at", "updated_at"])
        return Change(incident.pk, Notice.RECOVERED)
    return None


def end_without_notice(*, camera_ids: list[int], now: datetime) -> list[int]:
    """End the open incidents of cameras no longer recorded (disabled, decommissioned): nothing to
    recover from, nobody to tell."""
    with transaction.atomic():
        incidents = list(
            Incident.objects.select_for_update().open().filter(camera_id__in=camera_ids).values_list("pk", flat=True)
        )
        for incident in Incident.objects.filter(pk__in=incidents):
            incident.ended_at = max(incident.cleared_at or now, incident.started_at)
            incident.save(update_fields=["ended_at", "updated_at"])
    return incidents


def acknowledge(*, incident: Incident, user: Any, note: str, request: Any = None) -> Incident:
    """Acknowledge with a note (audited). Acknowledging again replaces the note, keeping the first
    acknowledgement's time and person: the time to acknowledgement is what the uptime report measures."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write what was done or who is looking into it.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("The note is too long (at most %(limit)s characters).") % {"limit": NOTE_MAX_LENGTH}}
        )
    with transaction.atomic():
        incident = Incident.objects.select_for_update().get(pk=incident.pk)
        first = incident.acknowledged_at is None
        if first:
            incident.acknowledged_at, incident.acknowledged_by = timezone.now(), user
        incident.note = note
        incident.save(update_fields=["acknowledged_at", "acknowledged_by", "note", "updated_at"])
        record(
            action=AuditAction.INCIDENT_ACKNOWLEDGED,
            user=user,
            request=request,
            camera=incident.camera,
            target=f"incident {incident.pk}",
            details={
                "kind": incident.kind,
                "started_at": incident.started_at.isoformat(),
                "note": note,
                "first": first,
            },
        )
        pk = incident.pk
        transaction.on_commit(lambda: notify.to_dashboards([pk]))
    return incident


def kind_label(kind: str) -> str:
    return str(IncidentKind(kind).label) if kind in IncidentKind.values else kind
