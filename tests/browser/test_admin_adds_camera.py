"""An administrator adds a camera in the Django admin, and within 15 s it is being recorded."""

import time

import pytest
from django.contrib.auth import get_user_model

from cameras.models import Camera, CameraStatus
from tests.browser.conftest import log_in
from tests.factories import EldershipFactory
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_camera_added_in_the_admin_is_recording_within_15_seconds(live_server, capture_stack, simulator, page):
    source = simulator("Pabiržė bus stop")
    eldership = EldershipFactory(name="Pabiržės", code="pabirzes")
    get_user_model().objects.create_superuser("admin", "admin@example.org", "Admin-Pass-2026")
    capture_stack.dispatcher()
    capture_stack.capture_worker()

    log_in(page, live_server.url, "admin", "Admin-Pass-2026")
    page.goto(f"{live_server.url}/admin/cameras/camera/add/")
    page.select_option("select[name=eldership]", str(eldership.pk))
    page.fill("input[name=name]", "Pabiržė – autobusų stotelė")
    page.fill("input[name=rtsp_url]", source.url)
    page.click("input[name=_save]")
    saved_at = time.monotonic()
    page.wait_for_url(f"{live_server.url}/admin/cameras/camera/")

    camera = Camera.objects.get(name="Pabiržė – autobusų stotelė")
    wait_for(
        lambda: CameraStatus.objects.filter(camera=camera, state="recording").exists(),
        timeout=15,
        what="the new camera to be recording",
    )
    assert time.monotonic() - saved_at <= 15
    page.reload()
    row = page.locator("#result_list tr", has_text="Pabiržė – autobusų stotelė")
    assert row.locator("td.field-state").inner_text().strip() in {"Recording", "Įrašoma"}
