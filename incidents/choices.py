"""Choices of the incidents app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IncidentKind(models.TextChoices):
    # No stream, or no recorder reporting for the camera (CameraStatus.is_stale or a non-recording state).
    OFFLINE = "offline", _("Camera offline")
    # The recorder reports, but no new segment has been indexed for a while.
    NOT_WRITING = "not_writing", _("No new recordings")
    # Segments keep coming, but the picture has not changed.
    FROZEN = "frozen", _("Picture frozen")


class Notice(models.TextChoices):
    """What an alert says (email, webhook)."""

    FAILED = "failed", _("Camera failed")
    REMINDER = "reminder", _("Still failing, not acknowledged")
    RECOVERED = "recovered", _("Camera recovered")
