"""Playback URLs (mounted under /playback/)."""

from django.urls import path

from . import views

app_name = "playback"

urlpatterns = [
    path("cameras/<int:pk>/vod.m3u8", views.vod_playlist, name="vod"),
    path("cameras/<int:pk>/live.m3u8", views.live_playlist, name="live"),
    path("cameras/<int:pk>/timeline.json", views.timeline, name="timeline"),
    path("cameras/<int:pk>/snapshot.jpg", views.snapshot, name="snapshot"),
    path("cameras/<int:pk>/clip/", views.clip, name="clip"),
    path("clips/<int:pk>/", views.clip_status, name="clip-status"),
    path("clips/<int:pk>/download/", views.clip_download, name="clip-download"),
    path("segments/<int:pk>.ts", views.segment_file, name="segment"),
    # Matroska: Motion-JPEG cameras' segments (the extension is the container's; either URL serves any).
    path("segments/<int:pk>.mkv", views.segment_file, name="segment-mkv"),
    path("renditions/<int:pk>.ts", views.rendition, name="rendition"),
]
