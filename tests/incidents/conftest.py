"""Fixtures of the incident tests: a camera with a recorder status, and notices captured instead of queued."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from cameras.choices import CameraState
from cameras.models import CameraStatus
from incidents import tasks
from tests.factories import CameraFactory


@pytest.fixture
def camera(db):
    """A camera configured a day ago (a change of a camera restarts the clock of its silence)."""
    camera = CameraFactory(name="Vytauto g. 1")
    type(camera).objects.filter(pk=camera.pk).update(updated_at=timezone.now() - timedelta(days=1))
    camera.refresh_from_db()
    return camera


def report(camera, *, state=CameraState.RECORDING, ago: float = 0.0, since_ago: float = 600.0, reason: str = ""):
    """What a recorder would have written: its heartbeat `ago` seconds ago, in `state` since `since_ago`."""
    now = timezone.now()
    CameraStatus.objects.update_or_create(
        camera=camera,
        defaults={
            "state": state,
            "reason": reason,
            "heartbeat_at": now - timedelta(seconds=ago),
            "since": now - timedelta(seconds=since_ago),
        },
    )


@pytest.fixture
def queued(monkeypatch):
    """The notices detection queues for delivery, in order ([[incident id, notice], ...] per run)."""
    runs: list[list[list]] = []
    monkeypatch.setattr(tasks.deliver_notices, "delay", lambda notices: runs.append(notices))
    # The test's transaction never commits: run what waits for the commit at once.
    monkeypatch.setattr(tasks, "transaction", SimpleNamespace(on_commit=lambda run: run()))
    return runs
