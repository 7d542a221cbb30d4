"""Heartbeats of Celery processes written straight to the test Redis, as the workers and beat write them
(birzai_vms/heartbeats.py), with the timestamps a test chooses."""

import json
import time

import redis

from birzai_vms.heartbeats import BEAT_KEY, WORKERS_KEY

# A heartbeat this far ahead stays fresh for the whole of a test, with no thread to keep writing it.
LASTING_S = 3600.0


def write_worker(client: redis.Redis, hostname: str, queues: list[str], *, at: float | None = None) -> None:
    at = time.time() + LASTING_S if at is None else at
    client.hset(WORKERS_KEY, hostname, json.dumps({"queues": sorted(queues), "at": at}))


def write_beat(client: redis.Redis, *, at: float | None = None) -> None:
    client.set(BEAT_KEY, repr(time.time() + LASTING_S if at is None else at))


def write_healthy(client: redis.Redis) -> None:
    """A capture worker, a default worker and beat, alive for the whole test."""
    write_worker(client, "capture@test", ["capture"])
    write_worker(client, "default@test", ["default"])
    write_beat(client)
