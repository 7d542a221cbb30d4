"""Pages: the incidents of the cameras one may see, and one incident with its acknowledgement form."""

import functools
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.services import browses_cameras

from .models import Incident
from .services import NOTE_MAX_LENGTH, acknowledge

PAGE_SIZE = 200


def _staff(view: Any) -> Any:
    """Staff who look at cameras; others are told plainly (Police get footage only through requests)."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not browses_cameras(request.user):
            message = _("Your role does not give access to cameras. Ask an administrator if you need it.")
            return render(request, "incidents/message.html", {"message": message}, status=403)
        return view(request, *args, **kwargs)

    return login_required(checked)


@require_GET
@_staff
def incident_list(request: HttpRequest) -> HttpResponse:
    incidents = Incident.objects.restrict(request.user, "view").select_related("camera", "acknowledged_by")
    return render(
        request,
        "incidents/list.html",
        {
            "open": incidents.open().order_by("-started_at"),
            "recent": incidents.filter(ended_at__isnull=False).order_by("-started_at")[:PAGE_SIZE],
        },
    )


@require_http_methods(["GET", "POST"])
@_staff
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_object_or_404(
        Incident.objects.restrict(request.user, "view").select_related("camera__eldership", "acknowledged_by"), pk=pk
    )
    may_acknowledge = Incident.objects.restrict(request.user, "acknowledge").filter(pk=pk).exists()
    error, note, status = "", incident.note, 200
    if request.method == "POST":
        if not may_acknowledge:
            return render(
                request, "incidents/message.html", {"message": _("Your role does not allow this.")}, status=403
            )
        note = request.POST.get("note", "")
        try:
            acknowledge(incident=incident, user=request.user, note=note, request=request)
        except ValidationError as exc:
            error, status = " ".join(exc.message_dict.get("note", exc.messages)), 400
        else:
            return redirect("incidents:detail", pk=pk)
    context = {
        "incident": incident,
        "may_acknowledge": may_acknowledge,
        "note": note,
        "error": error,
        "note_max_length": NOTE_MAX_LENGTH,
    }
    return render(request, "incidents/detail.html", context, status=status)
