"""Heartbeats of the Celery processes in Redis: each worker and beat note every WORKER_HEARTBEAT_SECONDS
that they are alive, so /readyz reads a hash instead of broadcasting to the workers and waiting."""

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable

import redis
from django.conf import settings

log = logging.getLogger(__name__)

WORKERS_KEY = "vms:heartbeat:workers"
BEAT_KEY = "vms:heartbeat:beat"


def max_age_seconds() -> float:
    """A heartbeat older than this (three missed beats) is a dead process."""
    return 3 * settings.WORKER_HEARTBEAT_SECONDS


def _client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2.0, socket_connect_timeout=2.0)


def _beat_forever(name: str, write: Callable[[redis.Redis], None]) -> None:
    client = _client()
    while True:
        try:
            write(client)
        except redis.RedisError as exc:
            # Redis down: /readyz says so itself; the heartbeat resumes when it returns.
            log.debug("heartbeat of %s not written: %s", name, exc.__class__.__name__)
        time.sleep(settings.WORKER_HEARTBEAT_SECONDS)


def start_worker_heartbeat(hostname: str, queues: list[str]) -> None:
    """A daemon thread of this worker process writes {queues, at} under its host name."""

    def write(client: redis.Redis) -> None:
        client.hset(WORKERS_KEY, hostname, json.dumps({"queues": sorted(queues), "at": time.time()}))

    threading.Thread(target=_beat_forever, args=(hostname, write), name="heartbeat", daemon=True).start()


def forget_worker(hostname: str) -> None:
    """A worker shutting down says so at once (a killed one goes stale after max_age_seconds)."""
    with contextlib.suppress(redis.RedisError):
        _client().hdel(WORKERS_KEY, hostname)


def start_beat_heartbeat() -> None:
    def write(client: redis.Redis) -> None:
        client.set(BEAT_KEY, repr(time.time()), ex=max(int(max_age_seconds() * 4), 1))

    threading.Thread(target=_beat_forever, args=("beat", write), name="heartbeat", daemon=True).start()


def live_workers(client: redis.Redis, *, now: float) -> list[list[str]]:
    """The queues of each worker whose heartbeat is fresh; entries of long-dead workers are removed."""
    live, dead = [], []
    for hostname, raw in client.hgetall(WORKERS_KEY).items():
        try:
            entry = json.loads(raw)
            age = now - float(entry["at"])
        except (ValueError, KeyError, TypeError):
            dead.append(hostname)
            continue
        if age <= max_age_seconds():
            live.append(list(entry.get("queues") or []))
        elif age > 100 * max_age_seconds():
            dead.append(hostname)
    if dead:
        client.hdel(WORKERS_KEY, *dead)
    return live


def beat_age_seconds(client: redis.Redis, *, now: float) -> float | None:
    raw = client.get(BEAT_KEY)
    return None if raw is None else max(now - float(raw), 0.0)


# The process conditions of the whole installation, as codes: the dashboard renders them in its reader's
# language (dashboard/texts.py). They are read here, from the heartbeats, because the dead process
# cannot report its own death.
NO_CAPTURE_WORKER = "no_capture_worker"
NO_DEFAULT_WORKER = "no_default_worker"
NO_BEAT = "no_beat"
CAPTURE_QUEUE = "capture"


def missing_processes(client: redis.Redis, *, now: float) -> list[str]:
    """Codes of the Celery processes without a fresh heartbeat: no worker serving the capture queue, none
    serving the default queue, beat silent. Raises RedisError when Redis cannot be read."""
    serving = {queue for queues in live_workers(client, now=now) for queue in queues}
    missing = []
    if CAPTURE_QUEUE not in serving:
        missing.append(NO_CAPTURE_WORKER)
    if settings.CELERY_TASK_DEFAULT_QUEUE not in serving:
        missing.append(NO_DEFAULT_WORKER)
    beat_age = beat_age_seconds(client, now=now)
    if beat_age is None or beat_age > max_age_seconds():
        missing.append(NO_BEAT)
    return missing
