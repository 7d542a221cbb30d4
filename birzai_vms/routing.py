"""Websocket routes; the dashboard's status stream is added by the dashboard app."""

websocket_urlpatterns: list = []
