"""Websocket routes; the dashboard's status stream is added by the dashboard app."""

from dashboard.routing import websocket_urlpatterns as dashboard_websockets

websocket_urlpatterns: list = [*dashboard_websockets]
