"""An incident: a camera failed (offline, not writing, frozen picture) and, later, recovered.

The row is the record the municipality shows: when it started, when it ended, who acknowledged it with
what note. Notification state lives on the row too, so that grouping, re-notification and the recovery
notice survive worker restarts.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cameras.reasons import reason_text

from .choices import IncidentKind
from .querysets import IncidentQuerySet


class Incident(models.Model):
    """One failure of one kind of one camera; a flapping camera's failures are one incident (grouping)."""

    camera = models.ForeignKey(
        "cameras.Camera", on_delete=models.PROTECT, related_name="incidents", verbose_name=_("camera")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=IncidentKind.choices)
    started_at = models.DateTimeField(_("started"))
    # Set once the camera has stayed well for the quiet period after its last recovery (see `cleared_at`).
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="acknowledged_incidents",
        verbose_name=_("acknowledged by"),
    )
    note = models.TextField(_("note"), blank=True)

    # Detection and notification state. While the condition holds `cleared_at` is null; when it clears,
    # `cleared_at` is the recovery instant and the incident stays open for the quiet period: a failure
    # again within it continues this incident (clears `cleared_at`, counts a flap); otherwise it ends
    # at `cleared_at` and the recovery notice goes out.
    cleared_at = models.DateTimeField(_("condition cleared"), null=True, blank=True)
    flaps = models.PositiveIntegerField(_("failures again within the quiet period"), default=0)
    notified_at = models.DateTimeField(_("first alert sent"), null=True, blank=True)
    last_notified_at = models.DateTimeField(_("last alert sent"), null=True, blank=True)
    notifications = models.PositiveIntegerField(_("alerts sent"), default=0)
    recovery_notified_at = models.DateTimeField(_("recovery notice sent"), null=True, blank=True)
    # The recorder's status reason when the incident opened: a code of cameras/reasons.py.
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        permissions = [("acknowledge_incident", _("Can acknowledge an incident"))]
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "kind"],
                condition=models.Q(ended_at__isnull=True),
                name="incident_one_open_per_camera_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="incident_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["camera", "started_at"], name="incident_camera_start"),
            models.Index(fields=["ended_at", "kind"], name="incident_open_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id}: {self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def detail_text(self) -> str:
        """The detail in the reader's language."""
        return reason_text(self.detail)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    @property
    def is_failing(self) -> bool:
        """The condition holds now (an open incident in its quiet period after a recovery does not)."""
        return self.ended_at is None and self.cleared_at is None
