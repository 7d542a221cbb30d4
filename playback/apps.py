"""Playback: HLS playlists built on request from the segment index, segment files, snapshots, clips."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlaybackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "playback"
    verbose_name = _("Playback")
