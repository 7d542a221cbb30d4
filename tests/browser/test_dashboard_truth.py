"""The dashboard tells the truth in the reader's language: Latvian stays Latvian through live updates and
alarms, a system-wide condition is one banner, a camera without a picture shows a placeholder, a 20 s gap
is found by zooming the timeline, and the map says something without a tile server."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from alarms.services import clear_alarm, raise_alarm
from birzai_vms.localtime import local
from cameras.events import send_status
from cameras.models import CameraStatus
from recordings.choices import GapCause
from recordings.models import Gap
from tests.factories import CameraFactory, EldershipFactory
from tests.support import heartbeats
from tests.support.auth import make_user
from tests.support.footage import H264, record_footage
from tests.support.webserver import Daphne, session_cookie

pytestmark = [pytest.mark.browser]

PROJECTION = {"days": 0.1, "retention_days": 30, "cameras": 12}


@pytest.fixture
def web(transactional_db, recordings_root, tmp_path, capture_stack, redis_db):
    # A healthy installation: the banner of a dead worker (tests/browser/test_process_banner.py) stays away.
    heartbeats.write_healthy(redis_db)
    server = Daphne(capture_stack.env, tmp_path / "daphne.log").start()
    yield server
    server.stop()


def open_dashboard(page, web, user, language=None, path="/dashboard/"):
    page.context.add_cookies([session_cookie(user, web.url)])
    if language:
        page.context.add_cookies([{"name": "django_language", "value": language, "url": web.url}])
    page.goto(web.url + path)


def test_the_latvian_dashboard_stays_latvian_through_live_updates_and_alarms(page, web):
    camera = CameraFactory(name="Pabiržė 1")
    operator = make_user("operators", OPERATOR, elderships=[camera.eldership])
    # Another reader, in Lithuanian, is connected at the same time: the events are the same for both.
    lithuanian = page.context.browser.new_context(locale="lt-LT")
    lt_page = lithuanian.new_page()
    try:
        open_dashboard(page, web, operator, "lv")
        open_dashboard(lt_page, web, operator)
        page.wait_for_selector("#connection[data-state=open]")
        lt_page.wait_for_selector("#connection[data-state=open]")
        assert page.inner_text("#connection") == "Tiešraides statuss pievienots"

        CameraStatus.objects.update_or_create(
            camera=camera, defaults={"state": "error", "reason": "auth_refused", "heartbeat_at": timezone.now()}
        )
        send_status(camera.pk)
        reason = page.locator(f'.tile[data-camera="{camera.pk}"] [data-field=reason]')
        reason.filter(has_text="Kamera noraidīja lietotājvārdu vai paroli.").wait_for(timeout=5_000)
        lt_page.locator("[data-field=reason]", has_text="Kamera atmetė naudotojo vardą arba slaptažodį.").wait_for()

        params = {"camera": camera.name, "held_days": 12.5, "retention_days": 30}
        raise_alarm(kind="retention_shortfall", camera_id=camera.pk, severity="warning", params=params)
        badge = page.locator(f'.tile[data-camera="{camera.pk}"] .badge-warning')
        badge.wait_for(timeout=5_000)
        assert "glabā 12,5 dienu ierakstus" in badge.inner_text()
        assert page.inner_text("[data-field=reason]") == "Kamera noraidīja lietotājvārdu vai paroli."
        assert page.inner_text("[data-field=state]") == "Kļūda"

        raise_alarm(kind="storage_projection", camera_id=None, severity="warning", params=PROJECTION)
        page.locator("#system-alarms li").wait_for(timeout=5_000)
        assert "krātuvei pietiks 0,1 dienām" in page.inner_text("#system-alarms")
        lt_page.locator("#system-alarms li", has_text="saugyklos užteks 0,1 d.").wait_for(timeout=5_000)
    finally:
        lithuanian.close()


def test_the_storage_condition_shows_once_as_a_banner_with_many_cameras(page, web):
    eldership = EldershipFactory()
    cameras = [CameraFactory(eldership=eldership) for _ in range(12)]
    operator = make_user("operatorius", OPERATOR, elderships=[eldership])
    raise_alarm(kind="storage_projection", camera_id=None, severity="warning", params=PROJECTION)

    open_dashboard(page, web, operator)
    page.wait_for_selector("#connection[data-state=open]")
    assert page.locator(".tile").count() == len(cameras)
    assert page.locator("#system-alarms li").count() == 1
    assert page.get_by_text("Dabartiniu tempu saugyklos užteks").count() == 1  # not once per tile
    assert page.locator(".tile .badge").count() == 0

    clear_alarm(kind="storage_projection", camera_id=None)
    page.wait_for_selector("#system-alarms", state="hidden", timeout=5_000)


def test_a_camera_without_a_picture_shows_the_placeholder(page, web):
    camera = CameraFactory()  # nothing recorded: the snapshot URL answers 404
    operator = make_user("operatorius", OPERATOR, elderships=[camera.eldership])
    with page.expect_response(lambda r: "/snapshot" in r.url) as snapshot:
        open_dashboard(page, web, operator)
    assert snapshot.value.status == 404
    img = page.locator("img.snapshot")
    assert img.get_attribute("src").endswith("/dashboard/no-picture.svg")
    assert page.evaluate("document.querySelector('img.snapshot').naturalWidth") > 0  # drawn, not broken
    assert img.get_attribute("data-loaded") is None
    assert "kadro dar nėra" in img.get_attribute("alt")


def test_a_20_s_gap_is_found_by_zooming_the_timeline_and_clicking_it(page, web):
    camera = CameraFactory()
    start = datetime(2026, 11, 20, 9, 58, 0, tzinfo=UTC)
    before = record_footage(camera, H264, start=start, segments=3)
    gap_end = before[-1].end + timedelta(seconds=20)
    after = record_footage(camera, H264, start=gap_end, segments=3)
    Gap.objects.create(camera=camera, start=before[-1].end, end=after[0].start, cause=GapCause.STREAM_STALLED)
    operator = make_user("operatorius", OPERATOR, elderships=[camera.eldership])
    # The incidents app adds `incidents` to the timeline JSON; they are drawn when present.
    incident = {"id": 7, "kind": "offline", "label": "Kamera neatsako", "acknowledged": False}
    incident |= {"start": (before[-1].end.timestamp()) * 1000, "end": (after[0].start.timestamp()) * 1000}

    def with_incident(route):
        data = route.fetch().json()
        route.fulfill(json={**data, "incidents": [incident]})

    page.route("**/timeline.json*", with_incident)
    open_dashboard(page, web, operator, path=f"/dashboard/cameras/{camera.pk}/playback/?date={local(start):%Y-%m-%d}")
    page.wait_for_selector(".timeline[data-ready='1']")
    gap = page.locator(".timeline .range.gap")
    assert gap.count() == 1
    assert gap.bounding_box()["width"] <= 3  # a whole day: 20 s is a sliver (drawn at least 3 px wide)

    # The mouse wheel over the gap zooms in around it until it is a bar one can aim at.
    for _ in range(12):
        box = gap.bounding_box()
        if box["width"] >= 40:
            break
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -120)
        page.wait_for_timeout(50)
    box = gap.bounding_box()
    assert box["width"] >= 40, box
    ticks = page.locator(".timeline .ticks span").all_inner_texts()
    assert all(":" in t for t in ticks) and len(ticks) >= 4  # minutes, not hours
    assert page.locator(".timeline .range.incident").count() == 1
    assert "Kamera neatsako" in page.locator(".timeline .range.incident").get_attribute("title")

    # Keys zoom too: out and back in.
    def width():
        view = page.locator(".timeline")
        return int(view.get_attribute("data-view-end")) - int(view.get_attribute("data-view-start"))

    zoomed = width()
    page.focus(".timeline")
    page.keyboard.press("-")
    assert width() == 2 * zoomed
    page.keyboard.press("+")
    assert width() == zoomed

    # A click on the gap plays from that moment: no footage there, so from the recording after it.
    box = gap.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    gap_end_ms = after[0].start.timestamp() * 1000
    page.wait_for_function(
        f"() => vmsPlayers[0].wallclock() !== null && vmsPlayers[0].wallclock() >= {gap_end_ms - 500}"
        f" && vmsPlayers[0].wallclock() < {gap_end_ms + 8000}"
    )
    assert page.locator("#player-notice").inner_text() in {"", "Šiuo momentu įrašo nėra; rodoma nuo kito įrašo."}

    # The list under the timeline names the gap and the incident as buttons, for the keyboard.
    events = page.locator(".timeline-events button").all_inner_texts()
    assert len(events) == 2 and any("Kamera neatsako" in e for e in events)


def test_the_map_without_a_tile_server_shows_borders_elderships_clusters_and_states(page, web):
    eldership = EldershipFactory(name="Pabiržės", code="pabirzes", centre_latitude="56.1", centre_longitude="24.7")
    EldershipFactory(name="Nemunėlio Radviliškio", code="nemunelio", centre_latitude="56.4", centre_longitude="24.5")
    for _ in range(3):  # at one place
        CameraFactory(eldership=eldership, latitude="56.1", longitude="24.7")
    alone = CameraFactory(eldership=eldership, latitude="56.3", longitude="25.2")
    CameraStatus.objects.create(camera=alone, state="recording", heartbeat_at=timezone.now())
    operator = make_user("operatorius", OPERATOR, elderships=[eldership])
    requests = []
    page.on("request", lambda r: requests.append(r.url))

    open_dashboard(page, web, operator, path="/dashboard/map/")
    page.wait_for_selector("#map[data-basemap='1']")
    page.wait_for_selector("#map[data-ready='1']")
    assert page.locator(".leaflet-overlay-pane path").count() >= 2  # Lithuania, Latvia and neighbours
    assert {"Pabiržės", "Nemunėlio Radviliškio"} <= set(page.locator(".eldership-label").all_inner_texts())
    cluster = page.locator(".camera-cluster")
    assert cluster.count() == 1 and cluster.inner_text() == "3"
    assert "state-offline" in cluster.get_attribute("class")  # the worst state among the three
    assert page.locator(".camera-marker.state-recording").count() == 1

    legend = dict(
        zip(
            page.locator(".map-legend li").evaluate_all("items => items.map(i => i.dataset.state)"),
            page.locator(".map-legend li").all_inner_texts(),
            strict=True,
        )
    )
    assert legend["recording"] == "Įrašoma (1)" and legend["offline"].endswith("(3)")
    states = page.locator(".map-list li .state").all_inner_texts()
    assert sorted(states) == sorted(["Įrašoma", *[legend["offline"].split(" (")[0]] * 3])

    # States follow the live status stream: the lone camera goes offline, its marker, list and legend say so.
    CameraStatus.objects.filter(camera=alone).update(state="offline", reason="timed_out")
    send_status(alone.pk)
    page.wait_for_selector(".camera-marker.state-offline", timeout=5_000)
    assert (
        page.locator(f'.map-list li[data-camera="{alone.pk}"] .state').inner_text() == legend["offline"].split(" (")[0]
    )
    assert page.locator('.map-legend li[data-state="offline"] .count').inner_text() == "(4)"

    cluster.click()  # spreads out the cameras at one place
    page.wait_for_function("() => document.querySelectorAll('.camera-marker').length === 4")
    assert all(url.startswith(web.url) for url in requests), [u for u in requests if not u.startswith(web.url)]
    assert json.loads(page.locator("#map-config").inner_text())["tiles"] == ""
