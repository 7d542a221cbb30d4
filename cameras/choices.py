"""Choices of the cameras app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CameraState(models.TextChoices):
    RECORDING = "recording", _("Recording")
    CONNECTING = "connecting", _("Connecting")
    OFFLINE = "offline", _("Offline")
    ERROR = "error", _("Error")
    DISABLED = "disabled", _("Disabled")
