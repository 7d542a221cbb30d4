"""View decorators for who may open a page."""

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .services import browses_cameras


def staff_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for staff who look at cameras (the dashboard's, the uptime report): others are sent to log
    in, or told plainly that their role has no access (Police request footage; they do not browse it, and
    see no camera's figures)."""

    @functools.wraps(view)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not browses_cameras(request.user):
            message = _("Your role does not give access to cameras. Ask an administrator if you need it.")
            context = {"title": _("No access"), "message": message, "refused": True}
            return render(request, "message.html", context, status=403)
        return view(request, *args, **kwargs)

    return require_GET(login_required(checked))
