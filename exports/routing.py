"""Websocket routes of the exports app."""

from django.urls import path

from .consumers import ExportProgressConsumer

websocket_urlpatterns = [path("ws/exports/<int:pk>/", ExportProgressConsumer.as_asgi())]
