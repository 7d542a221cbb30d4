"""Request pages: list and queue, the request form, a request's page (review, progress, custody), download."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import browses_cameras
from audit.services import client_ip
from exports import services as exports
from exports.models import Export

from . import services
from .choices import RequestState
from .coverage import coverage
from .forms import ExtendHoldForm, ReasonForm, RequestForm, ReviewForm
from .models import DisclosureRequest


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The site's front page: staff go to the dashboard, police (who browse no cameras) to their requests."""
    user = request.user
    if user.is_authenticated and not browses_cameras(user) and user.has_perm("disclosures.add_disclosurerequest"):
        return redirect("disclosures:list")
    return redirect("dashboard:overview")


def _refused(request: HttpRequest) -> HttpResponse:
    message = _("Your role does not make or review footage requests.")
    return render(request, "message.html", {"title": _("No access"), "message": message, "refused": True}, status=403)


def _visible(request: HttpRequest, pk: int) -> DisclosureRequest:
    """The request if this user may see it; otherwise 404, whether or not it exists."""
    return get_object_or_404(
        DisclosureRequest.objects.restrict(request.user, "view").select_related(
            "requester", "reviewed_by", "hold", "export"
        ),
        pk=pk,
    )


def _is_reviewer(user: Any) -> bool:
    return user.has_perm("disclosures.review_disclosurerequest")


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("disclosures.view_disclosurerequest"):
        return _refused(request)
    visible = DisclosureRequest.objects.restrict(user, "view").select_related("requester").prefetch_related("cameras")
    return render(
        request,
        "disclosures/list.html",
        {
            "waiting": visible.waiting() if _is_reviewer(user) else None,
            "requests": visible if not _is_reviewer(user) else visible.exclude(state=RequestState.WAITING)[:200],
            "may_request": user.has_perm("disclosures.add_disclosurerequest"),
        },
    )


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm("disclosures.add_disclosurerequest"):
        return _refused(request)
    form = RequestForm(request.POST or None, user=user)
    found = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "preview" in request.POST:
            found = coverage(list(data["cameras"]), data["start_utc"], data["end_utc"])
        else:
            created = services.submit_request(
                requester=user,
                cameras=list(data["cameras"]),
                start=data["start_utc"],
                end=data["end_utc"],
                case_number=data["case_number"],
                legal_basis=data["legal_basis"],
                legal_basis_text=data["legal_basis_text"],
                reason=data["reason"],
                ip=client_ip(request),
            )
            messages.success(request, _("Request #%(id)s submitted; the footage is held.") % {"id": created.pk})
            return redirect("disclosures:detail", created.pk)
    cameras = list(form.fields["cameras"].queryset)
    markers = [
        {"id": c.pk, "name": c.name, "eldership": str(c.eldership), "lat": float(c.latitude), "lon": float(c.longitude)}
        for c in cameras
        if c.latitude is not None and c.longitude is not None
    ]
    return render(
        request,
        "disclosures/new.html",
        {"form": form, "coverage": found, "markers": markers, "cameras": cameras, "selected": _selected(form)},
        status=400 if request.method == "POST" and form.errors else 200,
    )


def _selected(form: RequestForm) -> set[str]:
    value = form["cameras"].value() or []
    return {str(v) for v in (value if isinstance(value, list | tuple) else [value])}


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    user = request.user
    reviewer = _is_reviewer(user) and item.requester_id != user.pk
    export = item.export
    context = {
        "item": item,
        "cameras": list(item.cameras.order_by("name")),
        "approved_cameras": list(item.approved_cameras.order_by("name")),
        "coverage": coverage(list(item.cameras.order_by("name")), item.start, item.end),
        "custody": item.custody.select_related("user"),
        "is_requester": item.requester_id == user.pk,
        "is_reviewer": reviewer,
        "export": export,
        "downloadable": item.requester_id == user.pk and services.downloadable(item),
        "link_expired": export is not None and export.state == Export.State.READY and item.link_expired(),
        "review_form": ReviewForm(request=item) if reviewer and item.is_waiting else None,
        "withdraw_form": ReasonForm() if item.requester_id == user.pk and item.is_waiting else None,
        "extend_form": ExtendHoldForm()
        if reviewer and item.hold and item.hold.is_active and not item.is_waiting
        else None,
        "progress": (
            {"id": export.pk, "state": export.state, "progress": export.progress, "ws": f"/ws/exports/{export.pk}/"}
            if export is not None
            else None
        ),
        "strings": {
            "queued": _("Queued"),
            "running": _("Preparing the package: %(n)s %%"),
            "ready": _("The package is ready."),
            "failed": _("The export failed: %(error)s"),
            "disconnected": _("Progress connection lost: reconnecting…"),
        },
    }
    return render(request, "disclosures/detail.html", context)


def _act(
    request: HttpRequest,
    pk: int,
    act: Callable[[dict[str, Any]], object],
    *,
    done: str,
    form: Form | None = None,
    form_error: str | None = None,
) -> HttpResponse:
    """Every decision on a request has one shape: the form checked (`form_error`, or the form's own errors,
    when it is not valid), the service called with its cleaned data, and the service's refusal (a
    ValidationError) or `done` shown on the request's page."""
    data: dict[str, Any] = {}
    if form is not None:
        if not form.is_valid():
            return _back(request, pk, error=form_error or " ".join(" ".join(e) for e in form.errors.values()))
        data = form.cleaned_data
    try:
        act(data)
    except ValidationError as exc:
        return _back(request, pk, error=" ".join(exc.messages))
    return _back(request, pk, success=done)


def _back(request: HttpRequest, pk: int, *, error: str = "", success: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("disclosures:detail", pk)


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    if not _is_reviewer(request.user):
        raise Http404
    return _act(
        request,
        pk,
        lambda data: services.review_request(
            request_id=item.pk,
            reviewer=request.user,
            decision=data["decision"],
            reason=data["reason"],
            cameras=list(data["cameras"]) or None,
            start=data.get("start_utc"),
            end=data.get("end_utc"),
            ip=client_ip(request),
        ),
        form=ReviewForm(request.POST, request=item),
        done=_("The decision is recorded and the requester notified."),
    )


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    if item.requester_id != request.user.pk:
        raise Http404
    return _act(
        request,
        pk,
        lambda data: services.withdraw_request(
            request_id=pk, user=request.user, reason=data["reason"], ip=client_ip(request)
        ),
        form=ReasonForm(request.POST),
        form_error=_("Say why the request is withdrawn."),
        done=_("The request is withdrawn and its hold released."),
    )


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    if not _is_reviewer(request.user):
        raise Http404
    return _act(
        request,
        pk,
        lambda data: services.extend_hold(
            request_id=item.pk,
            reviewer=request.user,
            until=data["until"],
            reason=data["reason"],
            ip=client_ip(request),
        ),
        form=ExtendHoldForm(request.POST),
        done=_("The hold is extended."),
    )


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = _visible(request, pk)
    if not _is_reviewer(request.user):
        raise Http404
    return _act(
        request,
        pk,
        lambda _data: services.retry(request_id=item.pk, reviewer=request.user),
        done=_("The export runs again."),
    )


@login_required
@require_GET
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """The package, for its requester only (anyone else: 404); an expired link says so plainly."""
    item = _visible(request, pk)
    if item.requester_id != request.user.pk or item.export is None or item.export.state != Export.State.READY:
        raise Http404
    if item.link_expired():
        context = {"title": _("Link expired"), "message": services.expired_message(item), "refused": True}
        return render(request, "message.html", context, status=410)
    return package_response(item, request)


def package_response(item: DisclosureRequest, request: HttpRequest) -> FileResponse:
    """Open the package first (a missing file is a 404, not a recorded download), then record, then serve."""
    path = exports.package_path(item.export)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise Http404(_("The package is not on this server.")) from exc
    services.record_download(request_id=item.pk, user=request.user, ip=client_ip(request))
    return FileResponse(
        handle, as_attachment=True, filename=item.export.package_name or path.name, content_type="application/zip"
    )
