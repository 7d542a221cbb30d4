"""Telling people: the dashboard at once (websocket), then email and webhook from a Celery task.

Detection never waits for any of them: the dashboard event is a group_send bounded by a short timeout,
email and webhook go out from `incidents.tasks.deliver_notices`, queued after the detection's commit.
One detection run that finds several cameras failed (a switch down, a dead capture worker) sends each
recipient one email and the webhook one POST listing them all, not one per camera.
"""

import json
import logging
import urllib.error
import urllib.request
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.languages import languages_by_email
from accounts.roles import ADMINISTRATOR, OPERATOR, REVIEWER
from birzai_vms.localtime import local
from cameras.events import STATUS_GROUP
from cameras.models import Camera

from .choices import IncidentKind, Notice
from .models import Incident

log = logging.getLogger(__name__)

EVENT_TYPE = "incident.changed"
_SEND_TIMEOUT_S = 2.0


def incident_payload(incident: Incident) -> dict[str, Any]:
    """What the dashboard and the webhook are told about an incident (codes, not sentences: the page
    shows them in its reader's language)."""
    return {
        "id": incident.pk,
        "camera_id": incident.camera_id,
        "camera": incident.camera.name,
        "kind": incident.kind,
        "state": "ended" if incident.ended_at else ("recovering" if incident.cleared_at else "failing"),
        "started_at": incident.started_at.isoformat(),
        "cleared_at": incident.cleared_at.isoformat() if incident.cleared_at else None,
        "ended_at": incident.ended_at.isoformat() if incident.ended_at else None,
        "acknowledged": incident.acknowledged_at is not None,
        "flaps": incident.flaps,
        "url": settings.SITE_URL + reverse("incidents:detail", args=[incident.pk]),
    }


def to_dashboards(incident_ids: list[int]) -> None:
    """Send the incidents' state to every open dashboard (each consumer checks who may see it)."""
    from channels.layers import get_channel_layer

    layer = get_channel_layer()
    if layer is None or not incident_ids:
        return
    incidents = [incident_payload(i) for i in Incident.objects.filter(pk__in=incident_ids).select_related("camera")]
    try:
        async_to_sync(_send)(layer, {"type": EVENT_TYPE, "incidents": incidents})
    except Exception as exc:  # noqa: BLE001 - Redis down must not stop detection; email still goes out
        log.warning("incident events %s not sent to dashboards: %s", incident_ids, exc.__class__.__name__)


async def _send(layer: Any, message: dict[str, Any]) -> None:
    import asyncio

    await asyncio.wait_for(layer.group_send(STATUS_GROUP, message), _SEND_TIMEOUT_S)


def recipients(camera: Camera) -> list[str]:
    """Operators, Reviewers and Administrators with an email who may see the camera, plus
    INCIDENT_ALERT_EMAILS."""
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(Q(is_superuser=True) | Q(groups__name__in=[ADMINISTRATOR, OPERATOR, REVIEWER]))
        .distinct()
    )
    found = {user.email for user in users if Camera.objects.visible_to(user).filter(pk=camera.pk).exists()}
    return sorted(found | set(settings.INCIDENT_ALERT_EMAILS))


def _when(instant: datetime | None) -> str:
    return f"{local(instant):%Y-%m-%d %H:%M:%S}" if instant else "–"


def _minutes(incident: Incident) -> int:
    end = incident.ended_at or timezone.now()
    return max(1, round((end - incident.started_at).total_seconds() / 60))


def _line(incident: Incident, notice: str) -> str:
    camera = incident.camera
    kind = IncidentKind(incident.kind).label
    head = {
        Notice.FAILED: _("FAILED: %(camera)s (%(eldership)s): %(kind)s since %(start)s."),
        Notice.REMINDER: _("STILL FAILING, not acknowledged: %(camera)s (%(eldership)s): %(kind)s since %(start)s."),
        Notice.RECOVERED: _(
            "RECOVERED: %(camera)s (%(eldership)s): %(kind)s from %(start)s to %(end)s (%(minutes)s min)."
        ),
    }[notice] % {
        "camera": camera.name,
        "eldership": camera.eldership.name,
        "kind": kind,
        "start": _when(incident.started_at),
        "end": _when(incident.ended_at),
        "minutes": _minutes(incident),
    }
    lines = [head]
    if incident.flaps:
        lines.append(
            ngettext(
                "It recovered and failed again %(n)s time; these are grouped into this one incident.",
                "It recovered and failed again %(n)s times; these are grouped into this one incident.",
                incident.flaps,
            )
            % {"n": incident.flaps}
        )
    if incident.acknowledged_at:
        lines.append(
            _("Acknowledged by %(user)s: %(note)s") % {"user": incident.acknowledged_by, "note": incident.note}
        )
    lines.append(settings.SITE_URL + reverse("incidents:detail", args=[incident.pk]))
    return "\n".join(lines)


def _subject(changes: list[tuple[Incident, str]]) -> str:
    if len(changes) == 1:
        incident, notice = changes[0]
        return _("[Biržai VMS] %(notice)s: %(camera)s – %(kind)s") % {
            "notice": Notice(notice).label,
            "camera": incident.camera.name,
            "kind": IncidentKind(incident.kind).label,
        }
    return ngettext("[Biržai VMS] %(n)s camera alert", "[Biržai VMS] %(n)s camera alerts", len(changes)) % {
        "n": len(changes)
    }


def email(changes: list[tuple[Incident, str]]) -> int:
    """One email per recipient with every change of cameras they may see; the number sent."""
    by_address: dict[str, list[tuple[Incident, str]]] = {}
    for incident, notice in changes:
        for address in recipients(incident.camera):
            by_address.setdefault(address, []).append((incident, notice))
    sent = 0
    languages = languages_by_email(by_address)
    for address, mine in by_address.items():
        # Each in its reader's preferred language (accounts/languages.py); other addresses, the installation's.
        with translation.override(languages[address]):
            body = "\n\n".join(_line(incident, notice) for incident, notice in mine)
            message = EmailMessage(
                subject=_subject(mine),
                body=body,
                to=[address],
                headers={
                    "X-VMS-Incidents": ",".join(str(incident.pk) for incident, _n in mine),
                    "X-VMS-Notices": ",".join(notice for _i, notice in mine),
                },
            )
            try:
                message.send()
                sent += 1
            except OSError as exc:  # SMTP errors are OSErrors too; the next alert tries again
                log.error("incident email to %s not sent: %s", address, exc.__class__.__name__)
    return sent


def webhook(changes: list[tuple[Incident, str]]) -> bool:
    """POST the changes as JSON to INCIDENT_WEBHOOK_URL; False (logged) when it fails."""
    url = settings.INCIDENT_WEBHOOK_URL
    if not url or not changes:
        return False
    body = json.dumps(
        {
            "source": "birzai-vms",
            "site": settings.SITE_URL,
            "events": [{"notice": notice, "incident": incident_payload(incident)} for incident, notice in changes],
        }
    ).encode()
    request = urllib.request.Request(url, data=body, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=settings.INCIDENT_WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310 - http(s) checked in settings
            response.read(1024)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.error("incident webhook not delivered: %s", getattr(exc, "reason", exc.__class__.__name__))
        return False
    return True
