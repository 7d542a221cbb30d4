"""Websocket routes: the dashboard's status stream and each export's progress."""

from dashboard.routing import websocket_urlpatterns as dashboard_websockets
from exports.routing import websocket_urlpatterns as export_websockets

websocket_urlpatterns: list = [*dashboard_websockets, *export_websockets]
