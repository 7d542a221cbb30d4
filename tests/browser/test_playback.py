"""Playback of real recordings at a chosen Vilnius time: it plays, the shown wall-clock time is the picture's,
an outage is a gap on the timeline, and a clip is exported with its progress shown, then downloaded."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import av
import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from birzai_vms.localtime import local
from cameras.models import CameraStatus
from recordings.models import Gap, Segment
from tests.factories import CameraFactory
from tests.recordings.footage import first_and_last_frame_times, recorded_seconds, segments_of
from tests.support.auth import make_user
from tests.support.scenario import hold
from tests.support.waiting import wait_for
from tests.support.webserver import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def record_with_an_outage(capture_stack, simulator):
    source = simulator("Pabiržė bus stop")
    camera = CameraFactory(name="Pabiržė – autobusų stotelė", rtsp_url=source.url)
    capture_stack.dispatcher()
    capture_stack.capture_worker()
    wait_for(lambda: recorded_seconds(camera) >= 12, timeout=60, what="12 s of recording")
    stopped_at = timezone.now()
    source.stop()
    wait_for(lambda: CameraStatus.objects.get(camera=camera).state == "offline", timeout=10, what="offline")
    hold(6 - (timezone.now() - stopped_at).total_seconds())
    source.start()
    gap = wait_for(lambda: Gap.objects.filter(camera=camera).first(), timeout=30, what="the outage's Gap")
    wait_for(
        lambda: Segment.objects.filter(camera=camera, start__gte=gap.end).count() >= 2,
        timeout=30,
        what="recording after the outage",
    )
    return camera, gap


def test_playback_at_a_local_time_plays_and_shows_that_time(capture_stack, simulator, page, web):
    camera, gap = record_with_an_outage(capture_stack, simulator)
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    first = segments_of(camera)[0]
    target = first.start.replace(microsecond=0) + timedelta(seconds=3)
    target_ms = round(target.timestamp() * 1000)
    at = local(target)

    page.context.add_cookies([session_cookie(operator, web.url)])
    page.goto(f"{web.url}/dashboard/cameras/{camera.pk}/playback/?date={at:%Y-%m-%d}&time={at:%H:%M:%S}")
    page.wait_for_function("() => window.vmsPlayers && vmsPlayers[0].fragments.length > 0")
    seek_time = page.evaluate(f"vmsPlayers[0].timeFor({target_ms}).time")
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('figure.playback video'); "
        f"return !v.paused && v.currentTime > {seek_time} + 0.5; }}",
        timeout=20_000,
    )
    played = page.evaluate("(() => { const v = document.querySelector('figure.playback video'); v.pause(); "
                           "return v.currentTime; })()")  # fmt: skip
    page.wait_for_function(
        "() => Math.abs(Number(document.getElementById('clock').dataset.wallclockMs) - vmsPlayers[0].wallclock()) < 2"
    )
    shown_ms = int(page.get_attribute("#clock", "data-wallclock-ms"))
    elapsed_ms = (played - seek_time) * 1000
    assert 0 < elapsed_ms < 5000
    # The picture on screen is the requested instant plus what has played since: within 1 s.
    assert abs(shown_ms - (target_ms + elapsed_ms)) <= 1000, (shown_ms, target_ms, elapsed_ms)
    assert f"{local(target + timedelta(milliseconds=elapsed_ms)):%H:%M}" in page.inner_text("#clock")
    assert page.is_hidden("#player-error")
    assert page.get_attribute("figure.playback", "data-error") is None

    # The times in the playlist are the picture's: the simulator's burned-in clock agrees within 1 s.
    shown = datetime.fromtimestamp(shown_ms / 1000, tz=UTC)
    segment = Segment.objects.filter(camera=camera, start__lte=shown, end__gt=shown).get()
    burned_in, _, _ = first_and_last_frame_times(segment)
    assert abs((burned_in - segment.start).total_seconds()) <= 1.0

    # The outage is a gap on the timeline, with its cause.
    page.wait_for_selector(".timeline[data-ready='1']")
    gaps = page.locator(".timeline .range.gap")
    assert gaps.count() == Gap.objects.filter(camera=camera).count() >= 1
    assert "Kamera nutraukė srautą" in gaps.first.get_attribute("title")

    # Speeds up to 16×.
    page.click("[data-speed='16']")
    assert page.evaluate("document.querySelector('figure.playback video').playbackRate") == 16

    # A clip: an export made by the default-queue worker, its progress shown live, then its package.
    page.select_option("#clip-length", "30")
    page.click("#clip-link")
    page.wait_for_url("**/playback/clips/*/", timeout=10_000)
    page.wait_for_selector(".export-progress [data-role=ready]:not([hidden])", timeout=60_000)
    assert page.get_attribute(".export-progress", "data-state") == "ready"
    assert page.evaluate("document.querySelector('.export-progress progress').value") == 1
    href = page.get_attribute(".export-progress [data-role=ready] a", "href")
    response = page.request.get(f"{web.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.body())) as package:
        video = next(n for n in package.namelist() if n.startswith("video/") and n.endswith(".mp4"))
        with av.open(io.BytesIO(package.read(video))) as clip:
            stream = clip.streams.video[0]
            assert stream.codec_context.name == "h264"
            # From the keyframe at or before the picture on screen, up to 30 s of what was recorded.
            assert 1.0 < float(clip.duration / av.time_base) <= 31.0


def test_the_live_view_plays_the_newest_footage_with_a_few_seconds_of_delay(capture_stack, simulator, page, web):
    source = simulator("Live")
    camera = CameraFactory(rtsp_url=source.url)
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    capture_stack.dispatcher()
    capture_stack.capture_worker()
    wait_for(lambda: Segment.objects.filter(camera=camera).count() >= 2, timeout=60, what="two segments")

    page.context.add_cookies([session_cookie(operator, web.url)])
    page.goto(f"{web.url}/dashboard/cameras/{camera.pk}/live/")
    page.wait_for_function("() => document.querySelector('figure.live').dataset.latencyS", timeout=30_000)
    first = float(page.get_attribute("figure.live", "data-wallclock-ms"))
    page.wait_for_function(
        f"() => Number(document.querySelector('figure.live').dataset.wallclockMs) > {first} + 3000", timeout=20_000
    )
    latency = float(page.get_attribute("figure.live", "data-latency-s"))
    assert 0 < latency < 12, latency
    assert page.inner_text("figure.live [data-role=error]") == ""
