"""/readyz reads the heartbeats real workers and beat write to Redis: all ok while they run, the capture
worker reported missing once it stops, and the answer is fast (no broadcast to wait out)."""

import time

import pytest

from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def test_readyz_follows_the_workers_heartbeats(capture_stack, client, settings):
    settings.STORAGE_MIN_FREE_BYTES = settings.STORAGE_MIN_FREE_PERCENT = 0
    settings.WORKER_HEARTBEAT_SECONDS = 1.0
    capture = capture_stack.capture_worker(env={"WORKER_HEARTBEAT_SECONDS": "1"})
    capture_stack.dispatcher(env={"WORKER_HEARTBEAT_SECONDS": "1"})

    def checks():
        return client.get("/readyz").json()["checks"]

    wait_for(lambda: all(c["ok"] for c in checks().values()), timeout=30, what="every check ok")
    started = time.monotonic()
    assert client.get("/readyz").status_code == 200
    assert time.monotonic() - started < 0.5

    capture.stop(timeout=10)
    found = wait_for(
        lambda: (c := checks())["workers"]["workers"]["capture"] == 0 and c, timeout=10, what="the capture worker gone"
    )
    assert found["workers"]["ok"] is False and found["workers"]["workers"]["default"] == 1
    assert found["beat"]["ok"] is True
    assert client.get("/readyz").status_code == 200  # reported, not fatal: the web side still serves footage
