"""Recorded time per camera and hour, kept so that a month's uptime report does not re-read millions of
segment rows (PostgreSQL only; see docs/reports.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CoverageHour(models.Model):
    """How much of one UTC hour a camera's segments cover (overlaps counted once), computed once the hour is
    settled. A trigger on the segment table deletes the rows of every hour whose segments change, so a row
    that exists is what the segment rows say now (reports/migrations/0002)."""

    camera = models.ForeignKey("cameras.Camera", on_delete=models.CASCADE, related_name="+", db_index=False)
    hour = models.DateTimeField(_("hour (UTC)"))
    recorded_us = models.BigIntegerField(_("recorded (µs)"))

    class Meta:
        verbose_name = _("recorded hour")
        verbose_name_plural = _("recorded hours")
        constraints = [models.UniqueConstraint(fields=["camera", "hour"], name="coveragehour_unique_camera_hour")]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.hour:%Y-%m-%d %H}:00 {self.recorded_us / 1e6:.0f} s"


class DeletionsSeen(models.Model):
    """The newest retention.DeletedRange whose hours were forgotten. Footage can leave the segment table
    without a DELETE (a day partition dropped whole fires no trigger), but every removal is recorded as a
    DeletedRange: reports/coverage.py forgets the stored hours of each new one."""

    last_id = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("deletions seen")
        verbose_name_plural = _("deletions seen")

    def __str__(self) -> str:
        return str(self.last_id)
