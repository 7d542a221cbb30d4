"""A camera's recording lease in Redis: at most one recorder per camera, anywhere.

The holder renews it every third of its lifetime. A dead worker's lease simply expires and the
dispatcher hands the camera to another worker. While Redis is unreachable the holder keeps recording
(recording never depends on the broker) and re-takes its lease when Redis returns; if another
recorder took the camera meanwhile, the older one stops.
"""

import os
import uuid
from functools import cache

import redis
from django.conf import settings

_RENEW = """
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] or not current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@cache
def client() -> redis.Redis:
    # Short timeouts: a Redis outage must cost the recorder a second, not a stall.
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


def _key(camera_id: int) -> str:
    return f"vms:capture:lease:{camera_id}"


def new_holder_id() -> str:
    return f"{settings.NODE_NAME}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def holder_of(camera_id: int) -> str | None:
    value = client().get(_key(camera_id))
    return value.decode() if value else None


def claim_dispatch(camera_id: int) -> bool:
    """True for the one dispatcher that may queue a recorder now; stops duplicate queueing. A task
    that has not started within a lease period is queued again, harmlessly: the lease dedups."""
    ttl = max(int(settings.CAPTURE_LEASE_SECONDS), 1)
    return bool(client().set(f"vms:capture:dispatched:{camera_id}", "1", nx=True, ex=ttl))


DISPATCHER_RAN_KEY = "vms:capture:dispatcher:last_run"


def mark_dispatcher_ran(now: float) -> None:
    """Beat's heartbeat: the dispatcher runs on beat's schedule, so its last run says beat is alive."""
    client().set(DISPATCHER_RAN_KEY, repr(now))


def holders(camera_ids: list[int]) -> list[str | None]:
    """The holder of each camera's lease (None: nobody records it), in one round trip."""
    if not camera_ids:
        return []
    values = client().mget([_key(camera_id) for camera_id in camera_ids])
    return [value.decode() if value else None for value in values]


def held(camera_ids: list[int], *, redis_client: redis.Redis) -> set[int]:
    """The cameras among `camera_ids` whose recording lease is live now."""
    if not camera_ids:
        return set()
    values = redis_client.mget([_key(camera_id) for camera_id in camera_ids])
    return {camera_id for camera_id, value in zip(camera_ids, values, strict=True) if value}


class Lock:
    """An expiring right in Redis, held by one holder and renewed by it (renew_all)."""

    def __init__(self, key: str, holder: str) -> None:
        self.key = key
        self.holder = holder
        self.ttl_ms = int(settings.CAPTURE_LEASE_SECONDS * 1000)

    def acquire(self) -> bool:
        return bool(client().set(self.key, self.holder, nx=True, px=self.ttl_ms))

    def release(self) -> None:
        client().eval(_RELEASE, 1, self.key, self.holder)


class Lease(Lock):
    """The right to record one camera, held by one recorder."""

    def __init__(self, camera_id: int, holder: str) -> None:
        super().__init__(_key(camera_id), holder)
        self.camera_id = camera_id


def renew_all(leases: list[Lock]) -> list[bool]:
    """Renew many leases in one round trip; True for each still held. Raises RedisError."""
    pipe = client().pipeline(transaction=False)
    for held in leases:
        pipe.eval(_RENEW, 1, held.key, held.holder, held.ttl_ms)
    return [bool(result) for result in pipe.execute()]
