"""Daphne as a real process against the test database and Redis: HTTP and the status websocket."""

import sys
from pathlib import Path

from django.contrib.auth.base_user import AbstractBaseUser
from django.test import Client

from birzai_vms.processes import ManagedProcess, command
from simulator.fleet import free_port

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def daphne_argv(port: int) -> list[str]:
    """The Procfile's web line (birzai_vms/processes.py) on a test's own port."""
    return command("web", env={"PORT": str(port)}, python=sys.executable)


class Daphne:
    """pytest-django's live_server speaks no websockets; the dashboard needs the ASGI server."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = ManagedProcess("daphne", daphne_argv(self.port), env=env, cwd=BASE_DIR, log_path=log_path)

    def start(self) -> "Daphne":
        self.process.start()  # a restart reads only the new run's output
        self.process.wait_for_line(r"Listening on TCP address", timeout=30)
        return self

    def stop(self) -> None:
        self.process.stop(timeout=10)


def session_cookie(user: AbstractBaseUser, url: str) -> dict[str, str]:
    """A logged-in session for the browser, made in the test database (no login form involved)."""
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}
