"""A dead capture worker is one banner on the Latvian overview (and on the playback page, which has no status
socket of its own), read from the heartbeats by the web process, and it goes away by itself when a capture
worker's heartbeat appears."""

import pytest

from accounts.roles import OPERATOR
from tests.factories import CameraFactory, EldershipFactory
from tests.support import heartbeats
from tests.support.auth import make_user
from tests.support.webserver import Daphne, session_cookie

pytestmark = [pytest.mark.browser]

BANNER = "Nedarbojas neviens ierakstīšanas darbinieks: kameras netiek ierakstītas."


@pytest.fixture
def web(transactional_db, recordings_root, tmp_path, capture_stack, redis_db):
    # Heartbeats every second: the web process looks every second and shows a condition after 3 s.
    env = {**capture_stack.env, "WORKER_HEARTBEAT_SECONDS": "1"}
    server = Daphne(env, tmp_path / "daphne.log").start()
    yield server
    server.stop()


def test_the_latvian_overview_shows_a_missing_capture_worker_once_until_its_heartbeat_appears(page, web, redis_db):
    eldership = EldershipFactory()
    cameras = [CameraFactory(eldership=eldership) for _ in range(4)]
    operator = make_user("operators", OPERATOR, elderships=[eldership])
    # The other processes are alive; no capture worker has ever written a heartbeat.
    heartbeats.write_worker(redis_db, "default@test", ["default"])
    heartbeats.write_beat(redis_db)

    page.context.add_cookies([session_cookie(operator, web.url)])
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": web.url}])
    page.goto(web.url + "/dashboard/")
    page.wait_for_selector("#connection[data-state=open]")
    banner = page.locator("#system-alarms li[data-kind=no_capture_worker]")
    banner.wait_for(timeout=10_000)
    assert banner.inner_text() == BANNER
    assert page.locator("#system-alarms li").count() == 1
    assert page.get_by_text(BANNER).count() == 1  # once, not on each of the tiles
    assert page.locator(".tile").count() == len(cameras)
    assert page.locator(".tile .badge").count() == 0

    heartbeats.write_worker(redis_db, "capture@test", ["capture"])
    page.wait_for_selector("#system-alarms", state="hidden", timeout=10_000)
    assert page.get_by_text(BANNER).count() == 0


def test_the_playback_page_opens_its_own_socket_for_the_banner(page, web, redis_db):
    camera = CameraFactory()
    operator = make_user("operators", OPERATOR, elderships=[camera.eldership])
    heartbeats.write_worker(redis_db, "default@test", ["default"])
    heartbeats.write_beat(redis_db)

    page.context.add_cookies([session_cookie(operator, web.url)])
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": web.url}])
    page.goto(web.url + f"/dashboard/cameras/{camera.pk}/playback/")
    # Rendered empty (the web process has only just looked), then pushed over the banner's own socket.
    banner = page.locator("#system-alarms li[data-kind=no_capture_worker]")
    banner.wait_for(timeout=10_000)
    assert banner.inner_text() == BANNER

    heartbeats.write_worker(redis_db, "capture@test", ["capture"])
    page.wait_for_selector("#system-alarms", state="hidden", timeout=10_000)
