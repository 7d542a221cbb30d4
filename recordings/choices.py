"""Choices of the recordings app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GapCause(models.TextChoices):
    CAMERA_UNREACHABLE = "camera_unreachable", _("Camera unreachable")
    STREAM_STALLED = "stream_stalled", _("Stream stalled")
    STREAM_ENDED = "stream_ended", _("Camera ended the stream")
    RECORDER_RESTARTED = "recorder_restarted", _("Recorder restarted")
    AUTH_FAILED = "auth_failed", _("Camera refused the credentials")
    NO_VIDEO = "no_video", _("Stream has no video")
    UNDECODABLE = "undecodable", _("Camera sent video that does not decode")
    BAD_RESPONSE = "bad_response", _("Camera did not answer as an RTSP camera")
    CAMERA_DISABLED = "camera_disabled", _("Camera disabled")
    STORAGE_ERROR = "storage_error", _("Storage error")
    UNKNOWN = "unknown", _("Unknown")


class SegmentStatus(models.TextChoices):
    OK = "ok", _("On disk")
    # The file vanished while its row remained: kept and flagged (an alarm), never silently dropped.
    MISSING = "missing", _("File missing")
