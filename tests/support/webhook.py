"""A local HTTP server that keeps the JSON POSTed to it, for tests of webhooks."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.waiting import wait_for


class WebhookReceiver:
    """`url` takes POSTs; `received` holds their JSON bodies. `status` is what it answers."""

    def __init__(self, status: int = 204) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = status
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append(json.loads(body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def events(self) -> list[dict[str, Any]]:
        return [event for body in list(self.received) for event in body["events"]]

    def wait_for_event(self, notice: str, *, timeout: float = 30.0) -> dict[str, Any]:
        return wait_for(
            lambda: next((e for e in self.events() if e["notice"] == notice), None),
            timeout=timeout,
            what=f"a {notice} webhook",
        )
