"""Dashboard URLs (mounted under /dashboard/)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("map/", views.camera_map, name="map"),
    path("live/", views.live_grid, name="live-grid"),
    path("cameras/<int:pk>/live/", views.live, name="live"),
    path("cameras/<int:pk>/playback/", views.playback, name="playback"),
    path("sync/", views.sync_playback, name="sync"),
    path("logout/", auth_views.LogoutView.as_view(next_page="dashboard:overview"), name="logout"),
]
