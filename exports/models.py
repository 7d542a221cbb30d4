"""Exports of recorded footage: one row per package, whose state is the truth a Celery task works from."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ExportKind, ExportState


class Export(models.Model):
    """A package (zip) of stream-copied video of one or more cameras, with a signed manifest."""

    Kind = ExportKind
    State = ExportState

    kind = models.CharField(_("kind"), max_length=10, choices=ExportKind.choices)
    state = models.CharField(_("state"), max_length=10, choices=ExportState.choices, default=ExportState.QUEUED)
    progress = models.FloatField(_("progress"), default=0.0)
    # Shown to users as it is: written in the language of whoever's action caused it.
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exports", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # `attempts` when a person last retried it: EXPORT_MAX_ATTEMPTS counts the builds since then.
    attempts_before_retry = models.PositiveIntegerField(_("attempts before the last retry"), default=0)
    # Touched by the running task; a RUNNING export whose heartbeat is stale lost its worker.
    heartbeat_at = models.DateTimeField(_("heartbeat"), null=True, blank=True)
    viewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="watched_exports", verbose_name=_("viewers")
    )
    # The caller's request data and chain of custody, copied verbatim into the manifest.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    burn_in = models.BooleanField(_("viewing copy with burned-in time"), default=False)
    package_name = models.CharField(_("package file"), max_length=200, blank=True)
    package_bytes = models.BigIntegerField(_("package bytes"), null=True, blank=True)
    package_sha256 = models.CharField(_("package SHA-256"), max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0, progress__lte=1), name="export_progress_fraction"
            ),
        ]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="export_state_heartbeat")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk} ({self.get_state_display()})"

    def may_watch(self, user: object) -> bool:
        """Whether `user` may follow this export's progress (its creator or a named viewer)."""
        user_id = getattr(user, "pk", None)
        if user_id is None or not getattr(user, "is_active", False):
            return False
        return user_id == self.created_by_id or self.viewers.filter(pk=user_id).exists()


class ExportItem(models.Model):
    """One camera's range in an export, and the video file it became."""

    export = models.ForeignKey(Export, on_delete=models.CASCADE, related_name="items", verbose_name=_("export"))
    camera = models.ForeignKey(
        "cameras.Camera", on_delete=models.PROTECT, related_name="export_items", verbose_name=_("camera")
    )
    requested_start = models.DateTimeField(_("requested start (UTC)"))
    requested_end = models.DateTimeField(_("requested end (UTC)"))
    actual_start = models.DateTimeField(_("actual start (UTC)"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end (UTC)"), null=True, blank=True)
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    bytes = models.BigIntegerField(_("bytes"), null=True, blank=True)

    class Meta:
        ordering = ["export", "pk"]
        verbose_name = _("export item")
        verbose_name_plural = _("export items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(requested_end__gt=models.F("requested_start")), name="export_item_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.requested_start:%Y-%m-%d %H:%M:%S} – {self.requested_end:%H:%M:%S}"
