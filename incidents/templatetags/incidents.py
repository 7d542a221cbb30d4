"""{% incident_alerts %}: the open incidents the user may see, updated live by incidents/alerts.js."""

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from incidents.choices import IncidentKind
from incidents.models import Incident

register = template.Library()


@register.inclusion_tag("incidents/_alerts.html", takes_context=True)
def incident_alerts(context: dict[str, Any]) -> dict[str, Any]:
    user = context["request"].user
    incidents = Incident.objects.restrict(user, "view").open().select_related("camera").order_by("-started_at")
    return {
        "incidents": incidents,
        "strings": {
            "kinds": {kind: str(label) for kind, label in IncidentKind.choices},
            "failing": _("failing"),
            "recovering": _("recovered, waiting for the quiet period"),
            "ended": _("recovered"),
            "acknowledged": _("acknowledged"),
            "url": reverse("incidents:detail", args=[0]),
        },
    }
