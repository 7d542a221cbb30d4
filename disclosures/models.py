"""Police officers' details, footage requests (police, data subject, internal) and their chain of custody."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from birzai_vms.localtime import local

from .choices import CustodyKind, LegalBasis, RequestKind, RequestState
from .querysets import DisclosureRequestQuerySet


class PoliceProfile(models.Model):
    """Who a Police user is: what a package names as the requester, and which elderships they may ask about."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="police_profile", verbose_name=_("user")
    )
    organisation = models.CharField(_("organisation"), max_length=200)
    position = models.CharField(_("position"), max_length=200)
    service_number = models.CharField(_("service number"), max_length=50)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    elderships = models.ManyToManyField(
        "eldership.Eldership",
        blank=True,
        related_name="+",
        verbose_name=_("elderships"),
        help_text=_("The elderships whose cameras this officer may ask for; none chosen means all."),
    )

    class Meta:
        verbose_name = _("police officer's details")
        verbose_name_plural = _("police officers' details")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class DisclosureRequest(models.Model):
    """A request to release footage: who asks, on what basis, which cameras and range; its review and export."""

    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices, default=RequestKind.POLICE)
    state = models.CharField(_("state"), max_length=20, choices=RequestState.choices, default=RequestState.WAITING)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="disclosure_requests",
        verbose_name=_("requester"),
    )
    # A data subject does not log in: staff register the request and name the person here.
    subject_name = models.CharField(_("data subject"), max_length=200, blank=True)
    cameras = models.ManyToManyField("cameras.Camera", related_name="+", verbose_name=_("cameras"))
    start = models.DateTimeField(_("start (UTC)"))
    end = models.DateTimeField(_("end (UTC)"))
    case_number = models.CharField(_("case or pre-trial investigation number"), max_length=100)
    legal_basis = models.CharField(_("legal basis"), max_length=20, choices=LegalBasis.choices)
    legal_basis_text = models.TextField(_("legal basis, details"), blank=True)
    reason = models.TextField(_("reason"))
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now)
    hold = models.ForeignKey(
        "retention.Hold", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("hold")
    )

    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_reason = models.TextField(_("reason of the decision"), blank=True)
    approved_cameras = models.ManyToManyField(
        "cameras.Camera", related_name="+", blank=True, verbose_name=_("approved cameras")
    )
    approved_start = models.DateTimeField(_("approved start (UTC)"), null=True, blank=True)
    approved_end = models.DateTimeField(_("approved end (UTC)"), null=True, blank=True)
    export = models.OneToOneField(
        "exports.Export", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("export")
    )
    download_expires_at = models.DateTimeField(_("download link expires"), null=True, blank=True)
    first_downloaded_at = models.DateTimeField(_("first downloaded"), null=True, blank=True)
    # After the first download the hold is kept until this instant, then released by a beat task.
    hold_kept_until = models.DateTimeField(_("hold kept until"), null=True, blank=True)

    objects = DisclosureRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("footage request")
        verbose_name_plural = _("footage requests")
        permissions = [("review_disclosurerequest", _("Can review footage requests"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="request_end_after_start"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="request_has_reason"),
            models.CheckConstraint(
                condition=models.Q(state="waiting") | ~models.Q(review_reason=""), name="request_decision_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.case_number}"

    @property
    def is_waiting(self) -> bool:
        return self.state == RequestState.WAITING

    @property
    def is_approved(self) -> bool:
        return self.state in {RequestState.APPROVED, RequestState.PARTLY_APPROVED}

    def link_expired(self, now: datetime | None = None) -> bool:
        return self.download_expires_at is not None and (now or timezone.now()) >= self.download_expires_at

    @property
    def local_start(self) -> datetime:
        return local(self.start)

    @property
    def local_end(self) -> datetime:
        return local(self.end)


class CustodyEvent(models.Model):
    """One link of a request's chain of custody: what happened, who did it, when, from which address."""

    request = models.ForeignKey(DisclosureRequest, on_delete=models.CASCADE, related_name="custody")
    event = models.CharField(_("event"), max_length=20, choices=CustodyKind.choices)
    at = models.DateTimeField(_("when"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    ip = models.GenericIPAddressField(_("from"), null=True, blank=True)
    detail = models.TextField(_("detail"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.at:%Y-%m-%d %H:%M}"

    def as_evidence(self) -> dict[str, str]:
        """The event as the package's custody chain lists it (exports contract)."""
        return {
            "event": self.event,
            "at": self.at.isoformat(),
            "user": person_name(self.user) if self.user else "",
            "from": self.ip or "",
            "detail": self.detail,
        }


def person_name(user: object) -> str:
    full = user.get_full_name() if hasattr(user, "get_full_name") else ""
    return full or user.get_username()
