"""An alarm: a condition that started, may still be open, and ends by itself when it clears."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import AlarmKind, Severity
from .querysets import AlarmQuerySet
from .texts import render


class Alarm(models.Model):
    """One occurrence of a condition of one kind, system-wide or of one camera."""

    kind = models.CharField(_("kind"), max_length=40, choices=AlarmKind.choices)
    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, null=True, blank=True, related_name="alarms")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    # The figures the kind's text needs (alarms/texts.py); the text itself is rendered in the reader's language.
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"))
    updated_at = models.DateTimeField(_("updated"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = AlarmQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        constraints = [
            # At most one open alarm per kind and camera (a system-wide alarm has no camera).
            models.UniqueConstraint(
                fields=["kind", "camera"],
                condition=models.Q(ended_at__isnull=True),
                nulls_distinct=False,
                name="alarm_one_open_per_kind_camera",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="alarm_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["ended_at", "kind"], name="alarm_open_kind")]

    def __str__(self) -> str:
        return f"{self.get_severity_display()}: {self.text}"

    @property
    def text(self) -> str:
        """What the alarm says, in the active language."""
        return render(self.kind, self.params)

    @property
    def is_open(self) -> bool:
        return self.ended_at is None
