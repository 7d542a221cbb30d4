"""Choices of the cameras app."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop


class CameraState(models.TextChoices):
    RECORDING = "recording", _("Recording")
    CONNECTING = "connecting", _("Connecting")
    OFFLINE = "offline", _("Offline")
    ERROR = "error", _("Error")
    DISABLED = "disabled", _("Disabled")


# Purposes and legal bases the demo seed gives cameras, in English as stored; pages such as the public
# camera register show them in the reader's language (a camera's own wording is shown as entered).
PURPOSE_PUBLIC_ORDER = gettext_noop("Public order and safety in public places")
PURPOSE_TRANSPORT = gettext_noop("Safety of passengers at public transport stops")
PURPOSE_TRAFFIC = gettext_noop("Traffic safety and the investigation of road accidents")
PURPOSE_PROPERTY = gettext_noop("Protection of municipal property against damage and theft")
PURPOSE_HERITAGE = gettext_noop("Protection of cultural heritage sites against damage")
PURPOSE_RECREATION = gettext_noop("Safety of visitors of public recreation areas")
BASIS_PUBLIC_INTEREST = gettext_noop("GDPR Art. 6(1)(e): a task carried out in the public interest")
BASIS_PUBLIC_PROPERTY = gettext_noop(
    "GDPR Art. 6(1)(e): a task carried out in the public interest (protection of public property)"
)
STANDARD_TEXTS = [
    PURPOSE_PUBLIC_ORDER,
    PURPOSE_TRANSPORT,
    PURPOSE_TRAFFIC,
    PURPOSE_PROPERTY,
    PURPOSE_HERITAGE,
    PURPOSE_RECREATION,
    BASIS_PUBLIC_INTEREST,
    BASIS_PUBLIC_PROPERTY,
]
