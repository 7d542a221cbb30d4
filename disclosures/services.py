"""The request workflow: submit (and hold at once), withdraw, review, export, download, keep or release.

Each step is one function, inside a transaction, that writes its link of the chain of custody; emails and
the export task go out only once the step has committed."""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import AuditAction
from audit.services import record as audit
from cameras.models import Camera
from exports import services as exports
from exports.models import Export
from retention.models import Hold
from retention.services import create_hold, release_hold

from . import notify
from .choices import CustodyKind, Decision, RequestKind, RequestState
from .coverage import coverage
from .models import CustodyEvent, DisclosureRequest, PoliceProfile, person_name

log = logging.getLogger(__name__)


def requestable_cameras(user: Any) -> Any:
    """The cameras this user may ask footage of: the role's `request` permission, then the elderships of
    the officer's details (none chosen: all)."""
    cameras = Camera.objects.restrict(user, "request").select_related("eldership")
    profile = PoliceProfile.objects.filter(user=user).first() if cameras.exists() else None
    if profile is not None:
        elderships = list(profile.elderships.values_list("pk", flat=True))
        if elderships:
            cameras = cameras.filter(eldership__in=elderships)
    return cameras


def longest_range() -> timedelta:
    return timedelta(hours=settings.DISCLOSURE_MAX_HOURS)


def range_errors(start: datetime, end: datetime, *, now: datetime | None = None) -> dict[str, str]:
    """What is wrong with a requested range, by field ({} when it is fine)."""
    now = now or timezone.now()
    longest = longest_range()
    if end <= start:
        return {"end": _("The end must be after the start.")}
    if start >= now:
        return {"start": _("The start is in the future: footage can only be requested for a time that has passed.")}
    if end > now:
        return {"end": _("The end is in the future: footage can only be requested for a time that has passed.")}
    if end - start > longest:
        return {
            "end": _("A request may cover at most %(hours)d hours; make several requests for a longer time.")
            % {"hours": settings.DISCLOSURE_MAX_HOURS}
        }
    return {}


def footage_errors(cameras: Sequence[Camera], start: datetime, end: datetime) -> list[str]:
    """Cameras with nothing to give in the range: their footage was deleted, or never recorded."""
    errors = []
    for found in coverage(list(cameras), start, end):
        if not found.nothing_left:
            continue
        if found.deleted:
            when = timezone.localtime(max(d.when for d in found.deleted))
            errors.append(
                _(
                    "The footage of %(camera)s in this range was deleted on %(when)s (%(why)s); "
                    "nothing is left to request."
                )
                % {"camera": found.camera.name, "when": f"{when:%Y-%m-%d %H:%M}", "why": found.deleted[0].why}
            )
        else:
            errors.append(_("%(camera)s recorded nothing in this range.") % {"camera": found.camera.name})
    return errors


def _custody(
    request: DisclosureRequest, event: str, *, user: Any = None, ip: str | None = None, detail: str = ""
) -> None:
    CustodyEvent.objects.create(request=request, event=event, user=user, ip=ip or None, detail=detail)


@transaction.atomic
def submit_request(
    *,
    requester: Any,
    cameras: Sequence[Camera],
    start: datetime,
    end: datetime,
    case_number: str,
    legal_basis: str,
    legal_basis_text: str = "",
    reason: str,
    kind: str = RequestKind.POLICE,
    subject_name: str = "",
    ip: str | None = None,
) -> DisclosureRequest:
    """Record the request and hold its footage at once, so retention cannot delete it while it waits.
    The caller has validated the input (forms and serializers share range_errors/footage_errors)."""
    request = DisclosureRequest(
        kind=kind,
        requester=requester,
        subject_name=subject_name.strip(),
        start=start,
        end=end,
        case_number=case_number.strip(),
        legal_basis=legal_basis,
        legal_basis_text=legal_basis_text.strip(),
        reason=reason.strip(),
    )
    request.full_clean(exclude=["hold", "export"])
    request.save()
    request.cameras.set(cameras)
    _custody(request, CustodyKind.REQUESTED, user=requester, ip=ip, detail=_describe(request, cameras, start, end))
    request.hold = create_hold(
        camera_ids=[c.pk for c in cameras],
        start=start,
        end=end,
        reason=_("Footage request #%(id)s, case %(case)s") % {"id": request.pk, "case": request.case_number},
        created_by=requester,
    )
    request.save(update_fields=["hold"])
    _custody(request, CustodyKind.HELD, ip=ip, detail=_("Hold #%(id)s placed") % {"id": request.hold.pk})
    audit(
        action=AuditAction.REQUEST_SUBMITTED,
        user=requester,
        target=f"request {request.pk}",
        details={
            "cameras": [c.pk for c in cameras],
            "start": start.isoformat(),
            "end": end.isoformat(),
            "case_number": request.case_number,
            "hold": request.hold.pk,
        },
    )
    transaction.on_commit(lambda: notify.reviewers_of_new_request(request.pk))
    return request


def _describe(request: DisclosureRequest, cameras: Sequence[Camera], start: datetime, end: datetime) -> str:
    names = ", ".join(c.name for c in cameras)
    return f"{names}: {timezone.localtime(start):%Y-%m-%d %H:%M:%S %Z} – {timezone.localtime(end):%Y-%m-%d %H:%M:%S %Z}"


def _locked(request_id: int) -> DisclosureRequest:
    return DisclosureRequest.objects.select_for_update().get(pk=request_id)


def _release(request: DisclosureRequest, reason: str, *, by: Any = None, ip: str | None = None) -> None:
    """Release the request's hold, recorded; footage another active hold covers stays held by that one."""
    hold = request.hold
    if hold is None or not hold.is_active:
        return
    release_hold(hold_id=hold.pk, reason=reason, released_by=by)
    others = _other_holds(request, hold)
    detail = reason
    if others:
        detail += " " + _("The footage stays under hold(s) %(ids)s.") % {"ids": others}
    _custody(request, CustodyKind.HOLD_RELEASED, user=by, ip=ip, detail=detail)


@transaction.atomic
def withdraw_request(*, request_id: int, user: Any, reason: str, ip: str | None = None) -> DisclosureRequest:
    """The requester takes back a request that is still waiting; its hold is released."""
    request = _locked(request_id)
    if request.requester_id != user.pk:
        raise ValidationError(_("Only the requester may withdraw a request."))
    if not request.is_waiting:
        raise ValidationError(_("Only a request that is waiting for review can be withdrawn."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is withdrawn.")})
    request.state = RequestState.WITHDRAWN
    request.review_reason = reason
    request.save(update_fields=["state", "review_reason"])
    _custody(request, CustodyKind.WITHDRAWN, user=user, ip=ip, detail=reason)
    _release(request, _("Request #%(id)s withdrawn.") % {"id": request.pk}, by=user, ip=ip)
    audit(
        action=AuditAction.REQUEST_DECIDED, user=user, target=f"request {request.pk}",
        details={"decision": "withdrawn", "reason": reason},
    )  # fmt: skip
    return request


@transaction.atomic
def review_request(
    *,
    request_id: int,
    reviewer: Any,
    decision: str,
    reason: str,
    cameras: Sequence[Camera] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    ip: str | None = None,
) -> DisclosureRequest:
    """Approve all, approve part (fewer cameras, a narrower range) or reject, always with a reason.
    Approval starts the evidence export; rejection releases the hold."""
    request = _locked(request_id)
    if not request.is_waiting:
        raise ValidationError(
            _("This request was already decided (%(state)s).") % {"state": request.get_state_display()}
        )
    if request.requester_id == reviewer.pk:
        raise ValidationError(_("A request is reviewed by someone other than its requester."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("A decision needs a reason.")})
    requested = list(request.cameras.order_by("name"))
    if decision == Decision.REJECT:
        request.state = RequestState.REJECTED
    elif decision == Decision.APPROVE:
        cameras, start, end = requested, request.start, request.end
    elif decision == Decision.APPROVE_PART:
        cameras, start, end = _part(request, requested, cameras, start, end)
    else:
        raise ValidationError({"decision": _("Choose approve all, approve part or reject.")})
    request.reviewed_by, request.reviewed_at, request.review_reason = reviewer, timezone.now(), reason
    if decision != Decision.REJECT:
        full = len(cameras) == len(requested) and (start, end) == (request.start, request.end)
        request.state = RequestState.APPROVED if full else RequestState.PARTLY_APPROVED
        request.approved_start, request.approved_end = start, end
    request.save()
    detail = f"{request.get_state_display()}: {reason}"
    if request.is_approved:
        request.approved_cameras.set(cameras)
        detail += " — " + _describe(request, cameras, start, end)
    _custody(request, CustodyKind.REVIEWED, user=reviewer, ip=ip, detail=detail)
    if request.state == RequestState.PARTLY_APPROVED:
        _narrow_hold(request, cameras, start, end, by=reviewer, ip=ip)
    audit(
        action=AuditAction.REQUEST_DECIDED,
        user=reviewer,
        target=f"request {request.pk}",
        details={
            "decision": request.state,
            "reason": reason,
            **({"cameras": [c.pk for c in cameras], "start": start.isoformat(), "end": end.isoformat()}
               if request.is_approved else {}),
        },
    )  # fmt: skip
    if request.is_approved:
        request.export = exports.start_export(
            kind=Export.Kind.EVIDENCE,
            items=[(camera, start, end) for camera in cameras],
            created_by=reviewer,
            viewers=[request.requester, reviewer],
            evidence=evidence(request),
        )
        request.save(update_fields=["export"])
    else:
        _release(request, _("Request #%(id)s rejected.") % {"id": request.pk}, by=reviewer, ip=ip)
    transaction.on_commit(lambda: notify.requester_of_decision(request.pk))
    return request


def _narrow_hold(
    request: DisclosureRequest, cameras: Sequence[Camera], start: datetime, end: datetime, *, by: Any, ip: str | None
) -> None:
    """Hold only the approved part: footage the reviewer did not approve must not be kept longer than the
    rules allow because someone asked for it. The new hold is placed before the old one is released (in
    one transaction), so the approved footage is never unheld in between."""
    old = request.hold
    if old is None or not old.is_active:
        return
    request.hold = create_hold(
        camera_ids=[c.pk for c in cameras],
        start=start,
        end=end,
        reason=_("Footage request #%(id)s, case %(case)s, approved part")
        % {"id": request.pk, "case": request.case_number},
        created_by=by,
    )
    request.save(update_fields=["hold"])
    _custody(
        request,
        CustodyKind.HELD,
        user=by,
        ip=ip,
        detail=_("Hold #%(id)s placed on the approved part only: %(part)s")
        % {"id": request.hold.pk, "part": _describe(request, cameras, start, end)},
    )
    reason = _("Request #%(id)s partly approved: the footage that was not approved is no longer held.") % {
        "id": request.pk
    }
    release_hold(hold_id=old.pk, reason=reason, released_by=by)
    detail = _("Hold #%(old)s released (replaced by hold #%(new)s). %(reason)s") % {
        "old": old.pk,
        "new": request.hold.pk,
        "reason": reason,
    }
    others = _other_holds(request, old, exclude=[request.hold.pk])
    if others:
        detail += " " + _("The footage stays under hold(s) %(ids)s.") % {"ids": others}
    _custody(request, CustodyKind.HOLD_RELEASED, user=by, ip=ip, detail=detail)


def _other_holds(request: DisclosureRequest, hold: Hold, *, exclude: Sequence[int] = ()) -> str:
    """Other active holds over the released hold's footage (that footage then stays), as "#1, #2"."""
    others = (
        Hold.objects.active()
        .exclude(pk__in=[hold.pk, *exclude])
        .filter(cameras__in=request.cameras.all(), start__lt=hold.end, end__gt=hold.start)
        .distinct()
        .values_list("pk", flat=True)
    )
    return ", ".join(f"#{pk}" for pk in others)


def _part(
    request: DisclosureRequest,
    requested: list[Camera],
    cameras: Sequence[Camera] | None,
    start: datetime | None,
    end: datetime | None,
) -> tuple[list[Camera], datetime, datetime]:
    """The approved part: some of the requested cameras, over a range inside the requested one."""
    chosen = [c for c in requested if cameras is None or c.pk in {x.pk for x in cameras}]
    if cameras is not None and len(chosen) != len({c.pk for c in cameras}):
        raise ValidationError({"cameras": not_requested_message()})
    if not chosen:
        raise ValidationError({"cameras": _("Approve at least one camera, or reject the request.")})
    start, end = start or request.start, end or request.end
    if start < request.start or end > request.end:
        raise ValidationError({"start": _("The approved range must lie within the requested range.")})
    if end <= start:
        raise ValidationError({"end": _("The end must be after the start.")})
    return chosen, start, end


def evidence(request: DisclosureRequest) -> dict:
    """The request and its custody so far, as the package's manifest carries them (exports contract)."""
    requester = request.requester
    profile = PoliceProfile.objects.filter(user=requester).first()
    approver = request.reviewed_by
    return {
        "request": {
            "id": request.pk,
            "kind": request.kind,
            "case_number": request.case_number,
            "legal_basis": request.get_legal_basis_display(),
            "legal_basis_text": request.legal_basis_text,
            "reason": request.reason,
            "requester": {
                "name": person_name(requester),
                "organisation": profile.organisation if profile else "",
                "position": profile.position if profile else "",
                "service_number": profile.service_number if profile else "",
                "email": requester.email,
            },
            "approver": {"name": person_name(approver), "email": approver.email} if approver else {},
            "submitted_at": request.submitted_at.isoformat(),
            "approved_at": request.reviewed_at.isoformat() if request.reviewed_at else None,
            "review_reason": request.review_reason,
            "requested_start": request.start.isoformat(),
            "requested_end": request.end.isoformat(),
        },
        "custody": [event.as_evidence() for event in request.custody.select_related("user")],
    }


@transaction.atomic
def export_finished(*, export_id: int) -> DisclosureRequest | None:
    """Note a finished export in the chain; a ready package opens the download link for its set time."""
    request = DisclosureRequest.objects.select_for_update().filter(export_id=export_id).first()
    if request is None:
        return None
    export = Export.objects.get(pk=export_id)
    # The signal may come twice for one finish: the chain gets one link per outcome.
    if export.state == Export.State.READY and not request.custody.filter(event=CustodyKind.EXPORTED).exists():
        request.download_expires_at = timezone.now() + timedelta(days=settings.DISCLOSURE_DOWNLOAD_DAYS)
        request.save(update_fields=["download_expires_at"])
        detail = f"{export.package_name} ({export.package_bytes} B, SHA-256 {export.package_sha256})"
        _custody(request, CustodyKind.EXPORTED, detail=detail)
        transaction.on_commit(lambda: notify.requester_package_ready(request.pk))
    elif export.state == Export.State.FAILED:
        detail = _("Attempt %(n)s: %(error)s") % {"n": export.attempts, "error": export.error}
        if not request.custody.filter(event=CustodyKind.EXPORT_FAILED, detail=detail).exists():
            _custody(request, CustodyKind.EXPORT_FAILED, detail=detail)
    return request


@transaction.atomic
def retry(*, request_id: int, reviewer: Any) -> None:
    """A reviewer runs a failed export again."""
    request = _locked(request_id)
    if request.export is None or request.export.state != Export.State.FAILED:
        raise ValidationError(_("Only a failed export can be retried."))
    exports.retry_export(request.export)


def not_requested_message() -> str:
    return _("Only cameras of the request can be approved.")


def expired_message(request: DisclosureRequest) -> str:
    return _("This download link expired on %(when)s. Ask the reviewer for a new export if you still need it.") % {
        "when": f"{timezone.localtime(request.download_expires_at):%Y-%m-%d %H:%M}"
    }


def downloadable(request: DisclosureRequest, *, now: datetime | None = None) -> bool:
    export = request.export
    return export is not None and export.state == Export.State.READY and not request.link_expired(now)


@transaction.atomic
def record_download(*, request_id: int, user: Any, ip: str | None) -> DisclosureRequest:
    """Note a download in the chain and the audit log; the first one starts the hold's keeping time."""
    request = _locked(request_id)
    now = timezone.now()
    _custody(request, CustodyKind.DOWNLOADED, user=user, ip=ip, detail=request.export.package_name)
    audit(
        action=AuditAction.EXPORT_DOWNLOAD,
        user=user,
        target=f"export {request.export_id}",
        details={"request": request.pk, "ip": ip or "", "sha256": request.export.package_sha256},
    )
    if request.first_downloaded_at is None:
        request.first_downloaded_at = now
        keep = now + timedelta(days=settings.DISCLOSURE_HOLD_AFTER_DOWNLOAD_DAYS)
        request.hold_kept_until = max(keep, request.hold_kept_until or keep)
        request.save(update_fields=["first_downloaded_at", "hold_kept_until"])
    return request


@transaction.atomic
def extend_hold(
    *, request_id: int, reviewer: Any, until: datetime, reason: str, ip: str | None = None
) -> DisclosureRequest:
    """A reviewer keeps the request's footage held longer than the set time after the first download."""
    request = _locked(request_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Extending a hold needs a reason.")})
    if request.hold is None or not request.hold.is_active:
        raise ValidationError(_("This request's hold was already released."))
    if until <= timezone.now():
        raise ValidationError({"until": _("Keep the hold until a time in the future.")})
    request.hold_kept_until = until
    request.save(update_fields=["hold_kept_until"])
    detail = _("Kept until %(until)s: %(reason)s") % {
        "until": f"{timezone.localtime(until):%Y-%m-%d %H:%M}",
        "reason": reason,
    }
    _custody(request, CustodyKind.HOLD_EXTENDED, user=reviewer, ip=ip, detail=detail)
    return request


def release_due_holds(*, now: datetime | None = None) -> int:
    """Release the holds of downloaded requests whose keeping time is over; returns how many."""
    now = now or timezone.now()
    due = DisclosureRequest.objects.filter(
        first_downloaded_at__isnull=False, hold_kept_until__lte=now, hold__released_at__isnull=True
    ).values_list("pk", flat=True)
    released = 0
    for pk in due:
        with transaction.atomic():
            request = _locked(pk)
            if request.hold is None or not request.hold.is_active:
                continue
            reason = _("Request #%(id)s: kept %(days)d days after the first download.") % {
                "id": request.pk,
                "days": (request.hold_kept_until - request.first_downloaded_at).days,
            }
            _release(request, reason)
            released += 1
    return released
