"""/healthz answers without dependencies; /readyz probes each one and turns 503 only on the critical ones."""

import json
import time
from urllib.parse import urlsplit

import pytest
from django.db import connection

from birzai_vms import heartbeats
from health import checks
from recordings.capture import lease
from tests.factories import CameraFactory
from tests.support.tcpproxy import TcpProxy
from tests.support.waiting import wait_for


@pytest.fixture
def roomy_disk(recordings_root, settings):
    # The test machine's disk may hold less than the production watermark; the watermark is not the subject.
    settings.STORAGE_MIN_FREE_BYTES = 0
    settings.STORAGE_MIN_FREE_PERCENT = 0
    return recordings_root


def _ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, json.loads(response.content)


def test_healthz_answers_without_touching_any_dependency(client, settings):
    # No database fixture: pytest-django refuses any query, so the answer proves none was made.
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"ok": True}


def test_readyz_is_200_with_every_check_ok_when_workers_and_beat_run(capture_stack, roomy_disk, client):
    capture_stack.capture_worker()
    capture_stack.dispatcher()

    def all_ok():
        status, body = _ready(client)
        return (status, body) if status == 200 and all(c["ok"] for c in body["checks"].values()) else None

    status, body = wait_for(all_ok, timeout=30, what="every readiness check ok")
    assert body["ready"] is True and body["not_ready"] == []
    assert body["checks"]["workers"]["workers"] == {"capture": 1, "default": 1}
    assert body["checks"]["beat"]["last_run_age_seconds"] < 30
    assert body["checks"]["beat"]["heartbeat_age_seconds"] < 30


def test_without_workers_or_beat_readyz_reports_them_but_stays_ready(transactional_db, roomy_disk, redis_db, client):
    status, body = _ready(client)
    assert status == 200
    assert body["checks"]["workers"]["ok"] is False and body["checks"]["workers"]["critical"] is False
    assert body["checks"]["beat"] == {
        "ok": False,
        "critical": False,
        "heartbeat_age_seconds": None,
        "last_run_age_seconds": None,
    }


def test_a_camera_without_lease_is_counted_not_named_and_not_fatal(transactional_db, roomy_disk, redis_db, client):
    camera = CameraFactory(name="Vytauto gatvė 1")
    status, body = _ready(client)
    assert status == 200
    assert body["checks"]["capture_leases"] == {"ok": False, "critical": False, "cameras": 1, "without_lease": 1}
    assert camera.name not in json.dumps(body, ensure_ascii=False)
    assert camera.rtsp_url not in json.dumps(body, ensure_ascii=False)


def test_readyz_turns_503_while_the_database_is_down_and_recovers(transactional_db, roomy_disk, redis_db, client):
    db = connection.settings_dict
    original = (db["HOST"], db["PORT"])
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    connection.close()
    db["HOST"], db["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        assert _ready(client)[0] == 200
        proxy.cut()
        status, body = _ready(client)
        assert status == 503
        assert body["not_ready"] == ["database"]
        assert body["checks"]["database"]["ok"] is False
        assert body["checks"]["capture_leases"] == {"ok": False, "critical": False, "error": "database unavailable"}
        proxy.restore()
        assert wait_for(lambda: _ready(client)[0] == 200, timeout=10, what="ready again")
    finally:
        connection.close()
        db["HOST"], db["PORT"] = original
        proxy.stop()


def test_readyz_turns_503_while_redis_is_down_and_recovers(transactional_db, roomy_disk, redis_db, client, settings):
    url = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(url.hostname, url.port or 6379).start()
    settings.REDIS_URL = f"redis://127.0.0.1:{proxy.port}{url.path}"
    try:
        assert _ready(client)[0] == 200
        proxy.cut()
        status, body = _ready(client)
        assert status == 503
        assert body["not_ready"] == ["redis"]
        for needs_redis in ("workers", "beat", "capture_leases", "incident_detection"):
            assert body["checks"][needs_redis] == {"ok": False, "critical": False, "error": "redis unavailable"}
        proxy.restore()
        assert wait_for(lambda: _ready(client)[0] == 200, timeout=10, what="ready again")
    finally:
        proxy.stop()


def test_readyz_is_503_when_the_recordings_directory_cannot_be_written(
    transactional_db, redis_db, client, tmp_path, settings
):
    settings.RECORDINGS_ROOT = tmp_path / "missing"
    status, body = _ready(client)
    assert status == 503
    assert body["not_ready"] == ["disk"]
    assert body["checks"]["disk"]["writable"] is False


def test_workers_and_beat_are_read_from_their_heartbeats_and_a_silent_one_goes_stale(redis_db, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 1.0
    now = time.time()
    redis_db.hset(heartbeats.WORKERS_KEY, "capture@a", json.dumps({"queues": ["capture"], "at": now}))
    redis_db.hset(heartbeats.WORKERS_KEY, "worker@b", json.dumps({"queues": ["default"], "at": now - 10}))
    redis_db.set(heartbeats.BEAT_KEY, repr(now))
    redis_db.set(lease.DISPATCHER_RAN_KEY, repr(now))
    workers = checks.check_workers(redis_db, now=now)
    assert not workers.ok and workers.detail == {"workers": {"capture": 1, "default": 0}}
    assert checks.check_beat(redis_db, now=now).ok
    assert not checks.check_beat(redis_db, now=now + 10).ok  # beat silent for three heartbeats: dead


def test_readyz_answers_fast_with_no_worker_to_wait_for(transactional_db, roomy_disk, redis_db, client):
    started = time.monotonic()
    status, _body = _ready(client)
    assert status == 200 and time.monotonic() - started < 0.5
