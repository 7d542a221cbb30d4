"""PostgreSQL or Redis unreachable for 20 s while recording: recording goes on and nothing is lost."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from recordings.capture import storage
from recordings.models import Gap
from tests.conftest import database_url
from tests.factories import CameraFactory
from tests.recordings.footage import holes, recorded_seconds, recorded_until, segments_of
from tests.support.scenario import hold
from tests.support.tcpproxy import TcpProxy
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def _assert_everything_on_disk_is_indexed_without_holes(camera: object) -> None:
    segments = segments_of(camera)
    files = storage.segment_files(camera.pk, since=None)
    # The newest file is still being written; every closed one must be in the index.
    closed = {str(p.relative_to(settings.RECORDINGS_ROOT)) for p in files[:-1]}
    assert closed <= {s.path for s in segments}
    assert len(segments) >= len(closed)
    assert holes(segments) == []
    assert not Gap.objects.filter(camera=camera).exists()


def _record_through_outage(capture_stack, simulator, proxy: TcpProxy, env: dict) -> None:
    camera = CameraFactory(rtsp_url=simulator("Camera").url)
    capture_stack.dispatcher()
    capture_stack.capture_worker(env=env)
    wait_for(lambda: recorded_seconds(camera) >= 4, timeout=60, what="recording to start")

    proxy.cut()
    hold(20)
    proxy.restore()
    restored_at = timezone.now()

    wait_for(
        lambda: recorded_until(camera) and recorded_until(camera) >= restored_at,
        timeout=30,
        what="the index to catch up",
    )
    _assert_everything_on_disk_is_indexed_without_holes(camera)


def test_database_outage_loses_no_footage(capture_stack, simulator):
    db = connection.settings_dict
    proxy = TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)).start()
    try:
        _record_through_outage(capture_stack, simulator, proxy, {"DATABASE_URL": database_url(proxy.port)})
    finally:
        proxy.cut()


def test_redis_outage_loses_no_footage(capture_stack, simulator):
    from urllib.parse import urlsplit

    url = urlsplit(settings.REDIS_URL)
    proxy = TcpProxy(url.hostname, url.port or 6379).start()
    try:
        _record_through_outage(
            capture_stack, simulator, proxy, {"REDIS_URL": f"redis://127.0.0.1:{proxy.port}{url.path}"}
        )
    finally:
        proxy.cut()
