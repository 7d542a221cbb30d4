"""Sealed daily digests, signed records of lawful deletion, and quarantined files."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyDigest(models.Model):
    """A camera's segments of one UTC day, in order, chained by SHA-256 and signed when the day is over."""

    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, related_name="daily_digests")
    day = models.DateField(_("day (UTC)"))
    # [[path relative to RECORDINGS_ROOT, sha256], ...] in start order: names what verify reports.
    entries = models.JSONField(_("entries"))
    segment_count = models.PositiveIntegerField(_("segments"))
    head = models.CharField(_("chain head"), max_length=64)
    key_id = models.CharField(_("key"), max_length=16)
    signature = models.CharField(_("signature"), max_length=128)
    sealed_at = models.DateTimeField(_("sealed"))

    class Meta:
        ordering = ["camera", "day"]
        verbose_name = _("daily digest")
        verbose_name_plural = _("daily digests")
        constraints = [models.UniqueConstraint(fields=["camera", "day"], name="digest_unique_camera_day")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.day}: {self.segment_count} segments"


class DeletionRecord(models.Model):
    """Segments deleted lawfully (retention or storage pressure), chained and signed so that their
    absence does not read as tampering."""

    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, related_name="deletion_records")
    day = models.DateField(_("day (UTC)"))
    entries = models.JSONField(_("entries"))
    # Set when a whole sealed day was deleted at once (a dropped partition): the record then lists no
    # entries and stands for every segment of that day's seal, whose head this is (docs/partitioning.md).
    sealed_head = models.CharField(_("whole sealed day"), max_length=64, blank=True)
    reason = models.CharField(_("reason"), max_length=20)
    deleted_at = models.DateTimeField(_("deleted"))
    prev_head = models.CharField(_("previous head"), max_length=64)
    head = models.CharField(_("head"), max_length=64)
    key_id = models.CharField(_("key"), max_length=16)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        ordering = ["camera", "day", "id"]
        verbose_name = _("deletion record")
        verbose_name_plural = _("deletion records")
        indexes = [models.Index(fields=["camera", "day"], name="deletion_record_camera_day")]

    def __str__(self) -> str:
        deleted = "the whole sealed day" if self.sealed_head else len(self.entries)
        return f"{self.camera_id} {self.day}: {deleted} deleted ({self.reason})"


class QuarantinedFile(models.Model):
    """A file found under the recordings that could not be indexed, moved aside with the reason."""

    camera = models.ForeignKey(
        "cameras.Camera", on_delete=models.SET_NULL, null=True, blank=True, related_name="quarantined_files"
    )
    original_path = models.CharField(_("original path"), max_length=255)
    quarantined_path = models.CharField(_("quarantined as"), max_length=500)
    reason = models.CharField(_("reason"), max_length=255)
    bytes = models.BigIntegerField(_("bytes"))
    quarantined_at = models.DateTimeField(_("quarantined"), auto_now_add=True)

    class Meta:
        ordering = ["-quarantined_at"]
        verbose_name = _("quarantined file")
        verbose_name_plural = _("quarantined files")

    def __str__(self) -> str:
        return f"{self.original_path}: {self.reason}"
