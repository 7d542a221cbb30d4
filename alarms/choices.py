"""Choices of the alarms app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class AlarmKind(models.TextChoices):
    RETENTION_SHORTFALL = "retention_shortfall", _("Camera does not meet its retention period")
    STORAGE_PROJECTION = "storage_projection", _("Storage will not hold the retention period")
    STORAGE_FULL = "storage_full", _("Storage full of held footage")
    SEGMENT_MISSING = "segment_missing", _("Segment files missing")
    FILE_QUARANTINED = "file_quarantined", _("Unreadable file quarantined")
    INTEGRITY = "integrity", _("Footage altered")
    STREAM_CLOCK = "stream_clock", _("Camera's stream clock does not keep time")
    UNKNOWN_FILES = "unknown_files", _("Files of an unknown camera")
