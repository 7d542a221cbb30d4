"""`{% waiting_requests %}`: the link to the review queue a reviewer's dashboard shows when requests wait."""

from typing import Any

from django import template

from disclosures.models import DisclosureRequest

register = template.Library()


@register.inclusion_tag("disclosures/_waiting.html", takes_context=True)
def waiting_requests(context: dict[str, Any]) -> dict[str, Any]:
    user = getattr(context.get("request"), "user", None)
    count = DisclosureRequest.objects.restrict(user, "review").waiting().count() if user is not None else 0
    return {"waiting_requests": count}
