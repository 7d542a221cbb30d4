"""Recorded segments and the gaps between them: the index of what is on disk."""

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import GapCause, SegmentStatus
from .querysets import SegmentQuerySet, TimeRangeQuerySet


class Segment(models.Model):
    """A few seconds of one camera's video, stream-copied into one file.

    On PostgreSQL the table is partitioned by day of `start` (recordings/partitions.py, migration 0007):
    its primary key there is (id, start), and Django keeps `id` as the pk (docs/partitioning.md)."""

    # No index of its own: the unique (camera, start) index serves every camera lookup, and PostgreSQL
    # preferred a bare camera index that made a day's timeline scan all of a camera's month (bench/retention.py).
    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, related_name="segments", db_index=False)
    start = models.DateTimeField(_("start (UTC)"))
    end = models.DateTimeField(_("end (UTC)"))
    bytes = models.BigIntegerField(_("bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Relative to the node's RECORDINGS_ROOT; with `node` it locates the file in a multi-node setup.
    path = models.CharField(_("path"), max_length=255)
    node = models.CharField(_("capture node"), max_length=120)
    codec = models.CharField(_("codec"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    indexed_at = models.DateTimeField(_("indexed"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=SegmentStatus.choices, default=SegmentStatus.OK)
    # How the instants were found: "rtcp" (the camera's NTP-synced sender reports) or "arrival", and how
    # far the end was moved from the stream's own timing (a stream clock that runs fast or slow, a step).
    clock_source = models.CharField(_("time source"), max_length=10, blank=True)
    clock_correction_ms = models.IntegerField(_("clock correction (ms)"), default=0)

    objects = SegmentQuerySet.as_manager()

    class Meta:
        ordering = ["camera", "start"]
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        constraints = [
            models.UniqueConstraint(fields=["camera", "start"], name="segment_unique_camera_start"),
            # The file name gives the start, so (node, path) alone is as unique; the start is in the key
            # because PostgreSQL's unique indexes on a table partitioned by start must contain it.
            models.UniqueConstraint(fields=["node", "path", "start"], name="segment_unique_node_path_start"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="segment_end_after_start"),
        ]
        indexes = [
            models.Index(fields=["camera", "end"], name="segment_camera_end"),
            # Segments whose file is gone are rare: a timeline finds them without reading a day of rows.
            models.Index(
                fields=["camera", "start"], name="segment_missing", condition=models.Q(status=SegmentStatus.MISSING)
            ),
        ]

    def __str__(self) -> str:
        return self.path

    @property
    def duration(self) -> timedelta:
        return self.end - self.start


class Gap(models.Model):
    """A stretch of time in which a camera was not recorded, and why."""

    camera = models.ForeignKey("cameras.Camera", on_delete=models.PROTECT, related_name="gaps")
    start = models.DateTimeField(_("start (UTC)"))
    end = models.DateTimeField(_("end (UTC)"))
    cause = models.CharField(_("cause"), max_length=30, choices=GapCause.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    objects = TimeRangeQuerySet.as_manager()

    class Meta:
        ordering = ["camera", "start"]
        verbose_name = _("gap")
        verbose_name_plural = _("gaps")
        constraints = [
            models.UniqueConstraint(fields=["camera", "start"], name="gap_unique_camera_start"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="gap_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.camera_id} {self.start:%Y-%m-%d %H:%M:%S} – {self.end:%H:%M:%S} ({self.cause})"

    @property
    def duration(self) -> timedelta:
        return self.end - self.start
