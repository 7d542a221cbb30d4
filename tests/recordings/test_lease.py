"""The recording lease of a camera, with its clock in the test's hands: a lease's time runs out when the test
expires its key (PEXPIRE 0 is "its lifetime is over now"), never by sleeping. Real Redis (the test database
of REDIS_URL), cut off through a TCP proxy for the outage cases."""

import logging
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.utils import timezone

from cameras.models import CameraStatus
from recordings.capture import lease
from recordings.capture.keeper import Keeper
from recordings.tasks import dispatch_recorders
from tests.factories import CameraFactory
from tests.support.tcpproxy import TcpProxy

CAMERA = 7


def lease_key(camera_id: int) -> str:
    return f"vms:capture:lease:{camera_id}"


def dispatched_key(camera_id: int) -> str:
    return f"vms:capture:dispatched:{camera_id}"


def expire_now(client: redis.Redis, key: str) -> None:
    """The key's lifetime ends at this instant, as if its whole TTL had passed."""
    assert client.exists(key), f"{key} should exist before it is expired"
    client.pexpire(key, 0)
    assert not client.exists(key)


@pytest.fixture
def leases(redis_db: redis.Redis) -> Iterator[redis.Redis]:
    """The lease module's client, fresh for this test (it is cached per process)."""
    lease.client.cache_clear()
    yield redis_db
    lease.client.cache_clear()


@pytest.fixture
def redis_through_proxy(leases: redis.Redis, settings: object) -> Iterator[TcpProxy]:
    """The lease module talks to the test Redis through a proxy the test can cut; the test's own client
    (`leases`) still reaches Redis directly, as another node would."""
    url = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(url.hostname or "127.0.0.1", url.port or 6379).start()
    settings.REDIS_URL = urlunsplit(url._replace(netloc=f"127.0.0.1:{proxy.port}"))
    lease.client.cache_clear()
    try:
        yield proxy
    finally:
        proxy.cut()
        lease.client.cache_clear()


class Recorder:
    """What the keeper looks after, reduced to the lease and what it is told."""

    def __init__(self, camera_id: int, holder: str) -> None:
        self.camera_id = camera_id
        self.lease = lease.Lease(camera_id, holder)
        self.lost = False

    def lease_lost(self) -> None:
        self.lost = True

    def camera_gone(self, reason: str) -> None:
        raise AssertionError(f"not expected here: camera gone ({reason})")

    def camera_changed(self) -> None:
        raise AssertionError("not expected here: camera changed")


# --- the lease itself --------------------------------------------------------------------------------


def test_a_lease_is_taken_for_one_lease_period(leases, settings):
    assert lease.holder_of(CAMERA) is None
    assert lease.Lease(CAMERA, "a").acquire()
    assert lease.holder_of(CAMERA) == "a"
    assert 0 < leases.pttl(lease_key(CAMERA)) <= settings.CAPTURE_LEASE_SECONDS * 1000


def test_a_second_recorder_cannot_take_a_held_lease(leases):
    assert lease.Lease(CAMERA, "a").acquire()
    assert not lease.Lease(CAMERA, "b").acquire()
    assert lease.holder_of(CAMERA) == "a"
    assert lease.Lease(CAMERA + 1, "b").acquire()  # one lease per camera, not per recorder


def test_only_the_holder_renews_and_renewal_restores_the_full_period(leases, settings):
    held, other = lease.Lease(CAMERA, "a"), lease.Lease(CAMERA, "b")
    assert held.acquire()
    leases.pexpire(lease_key(CAMERA), 100)  # almost run out

    assert lease.renew_all([other, held]) == [False, True]
    assert lease.holder_of(CAMERA) == "a"
    assert leases.pttl(lease_key(CAMERA)) > settings.CAPTURE_LEASE_SECONDS * 1000 - 1000


def test_an_expired_lease_frees_the_camera_for_another_recorder(leases):
    first, second = lease.Lease(CAMERA, "a"), lease.Lease(CAMERA, "b")
    assert first.acquire()
    expire_now(leases, lease_key(CAMERA))

    assert lease.holder_of(CAMERA) is None
    assert second.acquire()
    assert lease.renew_all([first, second]) == [False, True]  # the first learns it lost the camera


def test_only_the_holder_releases(leases):
    held, other = lease.Lease(CAMERA, "a"), lease.Lease(CAMERA, "b")
    assert held.acquire()
    other.release()
    assert lease.holder_of(CAMERA) == "a"
    held.release()
    assert lease.holder_of(CAMERA) is None
    held.release()  # releasing what is no longer held is harmless
    assert other.acquire()


def test_a_holder_whose_lease_expired_re_takes_it_on_renewal_when_no_one_else_did(leases):
    held = lease.Lease(CAMERA, "a")
    assert held.acquire()
    expire_now(leases, lease_key(CAMERA))
    assert lease.renew_all([held]) == [True]
    assert lease.holder_of(CAMERA) == "a"


# --- the keeper's renewal ----------------------------------------------------------------------------


def test_the_keeper_renews_and_tells_a_recorder_that_lost_its_camera(leases):
    keeper = Keeper(start=False)
    kept, robbed = Recorder(CAMERA, "a"), Recorder(CAMERA + 1, "a")
    assert kept.lease.acquire() and robbed.lease.acquire()
    expire_now(leases, lease_key(CAMERA + 1))
    assert lease.Lease(CAMERA + 1, "b").acquire()

    keeper.renew_leases({CAMERA: kept, CAMERA + 1: robbed})

    assert (kept.lost, robbed.lost) == (False, True)
    assert (lease.holder_of(CAMERA), lease.holder_of(CAMERA + 1)) == ("a", "b")


def test_a_lease_that_ran_out_while_redis_was_away_is_re_taken_after(redis_through_proxy, leases):
    keeper = Keeper(start=False)
    recorder = Recorder(CAMERA, "a")
    assert recorder.lease.acquire()

    redis_through_proxy.cut()
    with pytest.raises(redis.RedisError):
        lease.renew_all([recorder.lease])
    keeper.renew_leases({CAMERA: recorder})  # Redis away: the recorder keeps recording, nothing said
    assert not recorder.lost
    expire_now(leases, lease_key(CAMERA))  # its lifetime passed during the outage

    redis_through_proxy.restore()
    keeper.renew_leases({CAMERA: recorder})
    assert not recorder.lost
    assert lease.holder_of(CAMERA) == "a"


def test_a_lease_taken_by_another_recorder_while_redis_was_away_stops_the_older_one(redis_through_proxy, leases):
    keeper = Keeper(start=False)
    recorder = Recorder(CAMERA, "a")
    assert recorder.lease.acquire()

    redis_through_proxy.cut()
    keeper.renew_leases({CAMERA: recorder})
    expire_now(leases, lease_key(CAMERA))
    leases.set(lease_key(CAMERA), "b", nx=True, px=6000)  # a recorder on a node that still reached Redis

    redis_through_proxy.restore()
    keeper.renew_leases({CAMERA: recorder})
    assert recorder.lost
    assert lease.holder_of(CAMERA) == "b"


# --- the dispatcher ----------------------------------------------------------------------------------


def test_claim_dispatch_is_granted_once_per_lease_period(leases, settings):
    assert lease.claim_dispatch(CAMERA)
    assert not lease.claim_dispatch(CAMERA)
    assert lease.claim_dispatch(CAMERA + 1)  # per camera
    assert 0 < leases.pttl(dispatched_key(CAMERA)) <= settings.CAPTURE_LEASE_SECONDS * 1000

    expire_now(leases, dispatched_key(CAMERA))
    assert lease.claim_dispatch(CAMERA)


def queued_recorders(client: redis.Redis) -> int:
    return client.llen("capture")  # the capture queue in the broker (the same Redis)


@pytest.mark.django_db
def test_the_dispatcher_queues_one_recorder_per_unrecorded_camera_per_period(leases):
    camera = CameraFactory()
    assert dispatch_recorders() == 1
    assert queued_recorders(leases) == 1
    assert dispatch_recorders() == 0  # claimed: the queued recorder has a lease period to start
    assert queued_recorders(leases) == 1

    expire_now(leases, dispatched_key(camera.pk))  # it never started (lost task, dead worker)
    assert dispatch_recorders() == 1
    assert queued_recorders(leases) == 2


@pytest.mark.django_db
def test_the_dispatcher_leaves_a_camera_whose_lease_is_held(leases):
    camera = CameraFactory()
    held = lease.Lease(camera.pk, "a")
    assert held.acquire()
    assert dispatch_recorders() == 0
    assert not leases.exists(dispatched_key(camera.pk))

    expire_now(leases, lease_key(camera.pk))  # the holder died
    assert dispatch_recorders() == 1


@pytest.mark.django_db
def test_the_dispatcher_leaves_a_camera_whose_recorder_reports_without_redis(leases, settings, time_machine):
    """A recorder cut off from Redis has no lease but still reports through the database."""
    camera = CameraFactory()
    now = timezone.now()
    time_machine.move_to(now, tick=False)
    CameraStatus.objects.update_or_create(camera=camera, defaults={"heartbeat_at": now})
    assert dispatch_recorders() == 0

    time_machine.move_to(now + timedelta(seconds=settings.CAPTURE_LEASE_SECONDS + 1), tick=False)
    assert dispatch_recorders() == 1


@pytest.mark.django_db
def test_the_dispatcher_does_nothing_while_redis_is_away(redis_through_proxy, leases, caplog):
    CameraFactory()
    redis_through_proxy.cut()
    with caplog.at_level(logging.WARNING, logger="recordings.tasks"):
        assert dispatch_recorders() == 0
    assert "Redis unavailable" in caplog.text
    redis_through_proxy.restore()
    assert dispatch_recorders() == 1
