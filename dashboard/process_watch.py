"""Which Celery processes the dashboard reports as not running: read from their heartbeats in Redis by the
web process itself (a dead worker cannot raise an alarm about its own death), each condition shown only
once it has held for a grace period, so that a start-up or a worker's restart is not a false alarm."""

import logging
import threading
import time

import redis
from django.conf import settings

from birzai_vms import heartbeats

log = logging.getLogger(__name__)

# Each open dashboard asks every check_interval_seconds(); Redis is read at most this often per process.
READ_TTL_SECONDS = 1.0


def check_interval_seconds() -> float:
    """How often each dashboard connection looks again: as often as the processes write their heartbeats."""
    return float(settings.WORKER_HEARTBEAT_SECONDS)


def grace_seconds() -> float:
    """How long a condition must hold before it is shown: the allowance of a late heartbeat. It covers a
    web process that starts before the workers' first heartbeat, and a worker restarted (a stopping worker
    removes its heartbeat at once; the new one writes its first when it is ready)."""
    return heartbeats.max_age_seconds()


class ProcessWatch:
    """The conditions of one web process, shared by its connections and pages (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._since: dict[str, float] = {}
        self._read_at: float | None = None
        self._shown: tuple[str, ...] = ()

    def shown(self, *, now: float | None = None) -> tuple[str, ...]:
        """Codes of the conditions (birzai_vms/heartbeats.py) that have held for the grace period."""
        now = time.time() if now is None else now
        with self._lock:
            # Never cached as long as a connection's interval: each look of a connection is a new reading.
            ttl = min(READ_TTL_SECONDS, check_interval_seconds() / 2)
            if self._read_at is not None and 0 <= now - self._read_at < ttl:
                return self._shown
            try:
                missing = heartbeats.missing_processes(_client(), now=now)
            except redis.RedisError as exc:
                # Without Redis nothing can be told about the workers: the banner stays as it was.
                log.warning("worker heartbeats not read: %s", exc.__class__.__name__)
                return self._shown
            # A reading older than the grace says nothing about what happened since (no dashboard open).
            known = self._since if self._read_at is not None and now - self._read_at <= grace_seconds() else {}
            self._read_at = now
            self._since = {code: known.get(code, now) for code in missing}
            self._shown = tuple(code for code in missing if now - self._since[code] >= grace_seconds())
            return self._shown


def _client() -> redis.Redis:
    # Short timeouts: a page or a socket must not hang on Redis.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


watch = ProcessWatch()
