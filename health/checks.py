"""Readiness checks: each dependency probed with a short timeout, each answer free of names and secrets.

Which failures make the installation *not ready* (503): the database, Redis, and a recordings directory
that cannot be written. Without any of these no footage is indexed or kept, so a load balancer or an
orchestrator should stop sending traffic and someone should be woken. The other checks only *report*
(200 with `ok: false` in their entry): no Celery worker, a silent beat, an enabled camera without a live
lease, incident detection that stopped running, free space under the storage watermark. Each is a real
problem, but the web side still serves recorded footage, and most of them are already raised as alarms
on the dashboard; restarting the web process over them would not help.
"""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import redis
from django.conf import settings
from django.db import connection

from birzai_vms import heartbeats
from cameras.models import Camera
from incidents.detection import DETECTED_KEY
from recordings.capture import lease
from retention.storage import disk

# The web process must answer a probe in well under the probe's own timeout (typically 1–5 s).
REDIS_TIMEOUT_SECONDS = 1.0


@dataclass
class Check:
    ok: bool
    critical: bool
    detail: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "critical": self.critical, **self.detail}


def redis_client() -> redis.Redis:
    # A fresh client with short timeouts, not the recorders' cached one: a probe must not hang.
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
    )


def check_database() -> Check:
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure of the driver means "not ready"
        # A broken connection would otherwise be reused by the next request of this thread.
        connection.close_if_unusable_or_obsolete()
        return Check(ok=False, critical=True, detail={"error": exc.__class__.__name__})
    return Check(ok=True, critical=True)


def check_redis(client: redis.Redis) -> Check:
    try:
        client.ping()
    except redis.RedisError as exc:
        return Check(ok=False, critical=True, detail={"error": exc.__class__.__name__})
    return Check(ok=True, critical=True)


WORKERS_MISSING = {heartbeats.NO_CAPTURE_WORKER, heartbeats.NO_DEFAULT_WORKER}


def check_workers(client: redis.Redis, *, now: float) -> Check:
    """Live Celery workers by the queue they consume: capture (recorders) and default (everything else),
    from the heartbeats each worker writes to Redis (birzai_vms/heartbeats.py): one read, no broadcast.
    Whether one is missing is decided where the dashboard's banner decides it (missing_processes)."""
    try:
        missing = heartbeats.missing_processes(client, now=now)
        live = heartbeats.live_workers(client, now=now)
    except redis.RedisError as exc:
        return Check(ok=False, critical=False, detail={"error": exc.__class__.__name__})
    counts = {heartbeats.CAPTURE_QUEUE: 0, settings.CELERY_TASK_DEFAULT_QUEUE: 0}
    for queues in live:
        for name in set(queues):
            if name in counts:
                counts[name] += 1
    # Worker host names are not shown: the answer is unauthenticated.
    return Check(ok=not WORKERS_MISSING & set(missing), critical=False, detail={"workers": counts})


def beat_max_age_seconds() -> float:
    # Several missed rounds of the dispatcher, and never less than half a minute (a busy broker).
    return max(10 * settings.DISPATCH_INTERVAL_SECONDS, 30.0)


def check_beat(client: redis.Redis, *, now: float) -> Check:
    """Beat is alive when its own heartbeat is fresh and the dispatcher, which only beat schedules, ran
    recently (the schedule is not only kept but executed)."""
    try:
        beat_age = heartbeats.beat_age_seconds(client, now=now)
        raw = client.get(lease.DISPATCHER_RAN_KEY)
    except redis.RedisError as exc:
        return Check(ok=False, critical=False, detail={"error": exc.__class__.__name__})
    run_age = None if raw is None else max(now - float(raw), 0.0)
    ok = (
        beat_age is not None
        and beat_age <= heartbeats.max_age_seconds()
        and run_age is not None
        and run_age <= beat_max_age_seconds()
    )
    detail = {
        "heartbeat_age_seconds": None if beat_age is None else round(beat_age, 1),
        "last_run_age_seconds": None if run_age is None else round(run_age, 1),
    }
    return Check(ok=ok, critical=False, detail=detail)


def check_incident_detection(client: redis.Redis, *, now: float) -> Check:
    """The beat task that turns the recorders' reports into incidents ran recently: without it a camera
    could fail and nobody be told."""
    try:
        raw = client.get(DETECTED_KEY)
    except redis.RedisError as exc:
        return Check(ok=False, critical=False, detail={"error": exc.__class__.__name__})
    age = None if raw is None else max(now - float(raw), 0.0)
    limit = max(3 * settings.INCIDENT_CHECK_INTERVAL_SECONDS, 30.0)
    return Check(
        ok=age is not None and age <= limit,
        critical=False,
        detail={"last_run_age_seconds": None if age is None else round(age, 1)},
    )


def check_leases(client: redis.Redis) -> Check:
    """Enabled, in-service cameras without a live recording lease (counted, never named)."""
    try:
        camera_ids = list(Camera.objects.recordable().values_list("pk", flat=True))
        unleased = len(camera_ids) - len(lease.held(camera_ids, redis_client=client))
    except Exception as exc:  # noqa: BLE001 - either the database or Redis may be the one down
        return Check(ok=False, critical=False, detail={"error": exc.__class__.__name__})
    return Check(ok=unleased == 0, critical=False, detail={"cameras": len(camera_ids), "without_lease": unleased})


def recordings_writable() -> bool:
    try:
        with tempfile.NamedTemporaryFile(dir=settings.RECORDINGS_ROOT, prefix=".readyz-"):
            pass
    except OSError:
        return False
    return True


def check_disk() -> Check:
    """Free space against the storage watermark (reported), and that RECORDINGS_ROOT is writable (critical)."""
    writable = recordings_writable()
    try:
        state = disk()
    except OSError as exc:
        return Check(ok=False, critical=True, detail={"writable": writable, "error": exc.__class__.__name__})
    detail = {
        "writable": writable,
        "free_bytes": state.free,
        "watermark_bytes": state.watermark,
        "under_watermark": state.under_pressure,
    }
    # Only an unwritable directory is critical: under the watermark, retention is already deleting.
    return Check(ok=writable and not state.under_pressure, critical=not writable, detail=detail)


# The broker is Redis; the beat marker and the leases are in Redis; the cameras are in the database.
NEEDS = {
    "workers": ("redis",),
    "beat": ("redis",),
    "capture_leases": ("database", "redis"),
    "incident_detection": ("redis",),
}


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """(ready, each check's result): ready unless a critical check failed."""
    client = redis_client()
    try:
        checks: dict[str, Callable[[], Check]] = {
            "database": check_database,
            "redis": lambda: check_redis(client),
            "workers": lambda: check_workers(client, now=time.time()),
            "beat": lambda: check_beat(client, now=time.time()),
            "capture_leases": lambda: check_leases(client),
            "incident_detection": lambda: check_incident_detection(client, now=time.time()),
            "disk": check_disk,
        }
        results: dict[str, Check] = {}
        for name, run in checks.items():
            # With a dependency down, the checks that need it would only wait out their timeouts.
            down = [dependency for dependency in NEEDS.get(name, ()) if not results[dependency].ok]
            if down:
                results[name] = Check(ok=False, critical=False, detail={"error": f"{down[0]} unavailable"})
                continue
            results[name] = run()
    finally:
        client.close()
    ready = all(check.ok for check in results.values() if check.critical)
    return ready, {name: check.as_json() for name, check in results.items()}
