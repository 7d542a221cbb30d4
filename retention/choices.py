"""Choices of the retention app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class DeletionReason(models.TextChoices):
    RETENTION = "retention", _("Retention period expired")
    DISK_PRESSURE = "disk_pressure", _("Storage full: oldest unheld footage deleted")
