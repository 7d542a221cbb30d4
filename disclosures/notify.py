"""Emails of the request workflow: reviewers hear of a new request, the requester of the decision and the
package. Each written in its reader's preferred language (accounts/languages.py); sent after the step
committed, a failure only logged (the dashboard and the request page show the same facts)."""

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.languages import preferred_language
from accounts.roles import REVIEWER
from cameras.models import Camera

from .models import DisclosureRequest

log = logging.getLogger(__name__)


def _link(request: DisclosureRequest) -> str:
    return settings.SITE_URL + reverse("disclosures:detail", args=[request.pk])


def _send(subject: str, body: str, to: list[str]) -> None:
    if not to:
        return
    try:
        send_mail(subject, body, None, to)
    except Exception:  # an unreachable mail server must not undo or break the request step
        log.exception("could not send %r to %s", subject, to)


def reviewers_for(request: DisclosureRequest) -> list[Any]:
    """Active Reviewers who see at least one of the request's cameras."""
    camera_ids = list(request.cameras.values_list("pk", flat=True))
    users = get_user_model().objects.filter(groups__name=REVIEWER, is_active=True).exclude(email="").distinct()
    return [u for u in users if Camera.objects.visible_to(u).filter(pk__in=camera_ids).exists()]


def reviewers_of_new_request(request_id: int) -> None:
    request = DisclosureRequest.objects.select_related("requester").filter(pk=request_id).first()
    if request is None:
        return
    by_language: dict[str, list[str]] = {}
    for reviewer in reviewers_for(request):
        by_language.setdefault(preferred_language(reviewer), []).append(reviewer.email)
    for language, addresses in by_language.items():
        with translation.override(language):
            subject = _("Footage request #%(id)s waits for your review") % {"id": request.pk}
            body = _(
                "%(who)s asks for footage of %(cameras)s, %(start)s – %(end)s (case %(case)s).\n\n"
                "The footage is held until the request is decided. Review it here:\n%(link)s\n"
            ) % {
                "who": request.requester.get_full_name() or request.requester.get_username(),
                "cameras": ", ".join(request.cameras.values_list("name", flat=True)),
                "start": f"{request.local_start:%Y-%m-%d %H:%M:%S}",
                "end": f"{request.local_end:%Y-%m-%d %H:%M:%S}",
                "case": request.case_number,
                "link": _link(request),
            }
        _send(subject, body, addresses)


def requester_of_decision(request_id: int) -> None:
    request = DisclosureRequest.objects.select_related("requester").filter(pk=request_id).first()
    if request is None:
        return
    with translation.override(preferred_language(request.requester)):
        subject = _("Footage request #%(id)s: %(state)s") % {"id": request.pk, "state": request.get_state_display()}
        body = _("Your request (case %(case)s) was decided: %(state)s.\nReason: %(reason)s\n\nDetails:\n%(link)s\n") % {
            "case": request.case_number,
            "state": request.get_state_display(),
            "reason": request.review_reason,
            "link": _link(request),
        }
        if request.is_approved:
            body += "\n" + _("The evidence package is being prepared; you will get another email when it is ready.")
    _send(subject, body, [request.requester.email])


def requester_package_ready(request_id: int) -> None:
    request = DisclosureRequest.objects.select_related("requester").filter(pk=request_id).first()
    if request is None or request.download_expires_at is None:
        return
    with translation.override(preferred_language(request.requester)):
        subject = _("Footage request #%(id)s: the evidence package is ready") % {"id": request.pk}
        body = _(
            "The evidence package of your request (case %(case)s) is ready. Log in and download it by "
            "%(expires)s:\n%(link)s\n"
        ) % {
            "case": request.case_number,
            "expires": f"{request.download_expires_at.astimezone(request.local_start.tzinfo):%Y-%m-%d %H:%M}",
            "link": _link(request),
        }
    _send(subject, body, [request.requester.email])
