"""The overview lists every camera and follows its status live: offline within 5 s, back without a reload."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from cameras.models import CameraStatus
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import make_user
from tests.support.webserver import Daphne, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def tile(page, camera):
    return page.locator(f'.tile[data-camera="{camera.pk}"]')


def test_a_stopped_camera_turns_offline_within_5_s_and_back_without_a_reload(capture_stack, simulator, page, web):
    failing, steady = simulator("Pabiržė bus stop"), simulator("Pabiržė school")
    eldership = EldershipFactory(name="Pabiržės", code="pabirzes")
    camera = CameraFactory(eldership=eldership, name="Pabiržė – autobusų stotelė", rtsp_url=failing.url)
    other = CameraFactory(eldership=eldership, name="Pabiržė – mokykla", rtsp_url=steady.url)
    CameraFactory(name="Disabled camera", enabled=False)
    operator = make_user("operator", OPERATOR, elderships=[eldership])
    capture_stack.dispatcher()
    capture_stack.capture_worker()

    page.context.add_cookies([session_cookie(operator, web.url)])
    page.goto(f"{web.url}/dashboard/")
    # Every camera the operator may see, and none other.
    assert page.locator(".tile").count() == 2
    assert page.locator("h3").all_inner_texts() == ["Pabiržė – autobusų stotelė", "Pabiržė – mokykla"]
    page.wait_for_selector("#connection[data-state=open]")
    page.evaluate("window.notReloaded = true")
    tile(page, camera).and_(page.locator("[data-state=recording]")).wait_for(timeout=60_000)
    tile(page, other).and_(page.locator("[data-state=recording]")).wait_for(timeout=30_000)

    failing.stop()
    stopped = time.monotonic()
    tile(page, camera).and_(page.locator("[data-state=offline]")).wait_for(timeout=5_000)
    assert time.monotonic() - stopped <= 5.0
    assert tile(page, camera).locator("[data-field=state]").inner_text() == "Neprisijungusi"
    assert tile(page, other).get_attribute("data-state") == "recording"

    failing.start()
    tile(page, camera).and_(page.locator("[data-state=recording]")).wait_for(timeout=30_000)
    assert page.evaluate("window.notReloaded") is True


def test_the_page_says_it_is_disconnected_and_reconnects_after_a_server_restart(capture_stack, page, web):
    camera = CameraFactory()
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    page.context.add_cookies([session_cookie(operator, web.url)])
    page.goto(f"{web.url}/dashboard/")
    page.wait_for_selector("#connection[data-state=open]")
    web.stop()
    page.wait_for_selector("#connection[data-state=closed]")
    assert "atsijungta" in page.inner_text("#connection").lower()
    web.start()
    page.wait_for_selector("#connection[data-state=open]", timeout=15_000)


def test_a_recording_tile_turns_offline_at_the_servers_stale_at_and_other_states_stay(capture_stack, page, tmp_path):
    # No recorder runs: the statuses are what recorders last wrote, and no event follows them.
    server = Daphne({**capture_stack.env, "STATUS_STALE_SECONDS": "6"}, tmp_path / "daphne-stale.log").start()
    try:
        eldership = EldershipFactory()
        recording, failing = CameraFactory(eldership=eldership), CameraFactory(eldership=eldership)
        now = timezone.now()
        CameraStatus.objects.create(camera=recording, state="recording", heartbeat_at=now, last_segment_end=now)
        CameraStatus.objects.create(
            camera=failing, state="error", reason="The camera ended the stream.", heartbeat_at=now
        )
        operator = make_user("operator", OPERATOR, elderships=[eldership])
        page.context.add_cookies([session_cookie(operator, server.url)])
        page.goto(f"{server.url}/dashboard/")
        assert tile(page, recording).get_attribute("data-state") == "recording"

        tile(page, recording).and_(page.locator("[data-state=offline]")).wait_for(timeout=10_000)
        stale_at = now + timedelta(seconds=6)
        assert timezone.now() >= stale_at - timedelta(seconds=1)  # not before the server's instant
        assert (
            tile(page, recording).locator("[data-field=reason]").inner_text()
            == "Šios kameros įrašymo procesas nepraneša apie būseną."
        )
        assert tile(page, failing).get_attribute("data-state") == "error"
    finally:
        server.stop()
