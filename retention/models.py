"""Preservation holds, and the record of footage deleted by retention or storage pressure."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DeletionReason
from .querysets import DeletedRangeQuerySet, HoldQuerySet


class Hold(models.Model):
    """Footage of some cameras over a time range that must not be deleted until the hold is released."""

    cameras = models.ManyToManyField("cameras.Camera", related_name="holds", verbose_name=_("cameras"))
    start = models.DateTimeField(_("start (UTC)"))
    end = models.DateTimeField(_("end (UTC)"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    release_reason = models.TextField(_("reason for release"), blank=True)

    objects = HoldQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        # Releasing lets the footage expire: a permission of its own, given to Reviewers and Administrators.
        permissions = [("release_hold", _("Can release a hold"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="hold_end_after_start"),
            models.CheckConstraint(condition=~models.Q(reason=""), name="hold_has_reason"),
            models.CheckConstraint(
                condition=models.Q(released_at__isnull=True) | ~models.Q(release_reason=""),
                name="hold_release_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} – {self.end:%Y-%m-%d %H:%M}: {self.reason[:60]}"

    @property
    def is_active(self) -> bool:
        return self.released_at is None

    def clean(self) -> None:
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The end of a hold must be after its start.")})
        if self.start and self.end and self.end - self.start > timedelta(days=settings.HOLD_MAX_DAYS):
            # A hold to the year 9999 would keep footage for ever; a longer need is a new hold later.
            raise ValidationError(
                {
                    "end": _("A hold may last at most %(days)d days; make a new hold when this one ends.")
                    % {"days": settings.HOLD_MAX_DAYS}
                }
            )
        if not (self.reason or "").strip():
            raise ValidationError({"reason": _("A hold needs a reason.")})


class DeletedRange(models.Model):
    """A stretch of a camera's footage that was recorded and then deleted, when and why.

    The timeline uses these to tell "recorded, then deleted by retention on <date>" from a gap."""

    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, related_name="deleted_ranges")
    start = models.DateTimeField(_("start (UTC)"))
    end = models.DateTimeField(_("end (UTC)"))
    segment_count = models.PositiveIntegerField(_("segments"))
    bytes = models.BigIntegerField(_("bytes"))
    reason = models.CharField(_("reason"), max_length=20, choices=DeletionReason.choices)
    deleted_at = models.DateTimeField(_("deleted"))

    objects = DeletedRangeQuerySet.as_manager()

    class Meta:
        ordering = ["camera", "start"]
        verbose_name = _("deleted range")
        verbose_name_plural = _("deleted ranges")
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="deleted_range_end_after_start"),
        ]
        indexes = [models.Index(fields=["camera", "start"], name="deleted_range_camera_start")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.start:%Y-%m-%d %H:%M:%S} – {self.end:%H:%M:%S} ({self.reason})"


class StoredDay(models.Model):
    """The bytes of one camera's footage on one capture node for one closed day: the storage projection
    adds these up instead of summing a month of segment rows (retention/totals.py)."""

    day = models.DateField(_("day (UTC)"))
    camera = models.ForeignKey("cameras.Camera", on_delete=models.CASCADE, related_name="+")
    node = models.CharField(_("capture node"), max_length=120)
    bytes = models.BigIntegerField(_("bytes"))
    # The day's highest segment id when it was summed: a row added to the day later has a higher one.
    through_id = models.BigIntegerField()

    class Meta:
        verbose_name = _("stored day")
        verbose_name_plural = _("stored days")
        constraints = [models.UniqueConstraint(fields=["day", "camera", "node"], name="stored_day_unique")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.day} on {self.node}: {self.bytes} bytes"
