"""H.265 and Motion-JPEG footage plays in Chromium (which decodes neither through MSE) at a chosen Vilnius
time, showing the right clock: the page asks for H.264 renditions. The picture's burned-in timecode is read
from the played video itself. A stream that cannot play says so in a sentence, never an hls.js code."""

import base64
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from accounts.roles import OPERATOR
from birzai_vms.localtime import local
from recordings.capture import storage
from simulator.timecode import read_timecode
from tests.factories import CameraFactory
from tests.support.auth import make_user
from tests.support.footage import HEVC, MJPEG, record_footage
from tests.support.webserver import Daphne, session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
VIDEO = "figure.playback video"
# The played picture as luma, drawn through a canvas: what the operator sees, not what the file holds.
GRAB_LUMA = """() => {
  const v = document.querySelector('figure.playback video');
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const g = c.getContext('2d'); g.drawImage(v, 0, 0);
  const rgba = g.getImageData(0, 0, c.width, c.height).data;
  const luma = new Uint8Array(c.width * c.height);
  for (let i = 0; i < luma.length; i++) {
    luma[i] = 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
  }
  let text = '';
  for (let i = 0; i < luma.length; i += 8192) text += String.fromCharCode(...luma.subarray(i, i + 8192));
  return { width: c.width, height: c.height, data: btoa(text) };
}"""
# hls.js's own codes: none may reach the screen.
HLS_CODES = ("bufferAddCodecError", "fragParsingError", "mediaSourceRequiresReset", "Error", "fatal")


@pytest.fixture
def web(transactional_db, recordings_root, tmp_path, capture_stack):
    env = {**capture_stack.env, "RENDITION_CACHE_DIR": str(tmp_path / "renditions")}
    server = Daphne(env, tmp_path / "daphne.log").start()
    yield server
    server.stop()


def open_playback(page, web, camera, at: datetime) -> None:
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    page.context.add_cookies([session_cookie(operator, web.url)])
    when = local(at)
    page.goto(f"{web.url}/dashboard/cameras/{camera.pk}/playback/?date={when:%Y-%m-%d}&time={when:%H:%M:%S}")


def played_timecode(page) -> datetime | None:
    grabbed = page.evaluate(GRAB_LUMA)
    luma = np.frombuffer(base64.b64decode(grabbed["data"]), dtype=np.uint8)
    return read_timecode(luma.reshape(grabbed["height"], grabbed["width"]))


@pytest.mark.parametrize("codec", [HEVC, MJPEG], ids=["hevc", "mjpeg"])
def test_footage_the_browser_cannot_decode_plays_at_the_chosen_time_with_the_right_clock(page, web, codec):
    camera = CameraFactory(name=f"{codec.name} camera")
    record_footage(camera, codec, start=T0, segments=4)
    target = T0 + timedelta(seconds=6)
    target_ms = round(target.timestamp() * 1000)

    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    open_playback(page, web, camera, target)
    page.wait_for_function("() => window.vmsPlayers && vmsPlayers[0].fragments.length > 0")
    seek_time = page.evaluate(f"vmsPlayers[0].timeFor({target_ms}).time")
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('{VIDEO}'); "
        f"return !v.paused && v.currentTime > {seek_time} + 3; }}",  # on into the next segment
        timeout=30_000,
    )
    page.evaluate(f"document.querySelector('{VIDEO}').pause()")
    page.wait_for_function(
        "() => Math.abs(Number(document.getElementById('clock').dataset.wallclockMs) - vmsPlayers[0].wallclock()) < 2"
    )
    shown = datetime.fromtimestamp(int(page.get_attribute("#clock", "data-wallclock-ms")) / 1000, tz=UTC)
    burned_in = played_timecode(page)

    assert burned_in is not None, "the timecode is unreadable in the played picture"
    # The clock on the page is the time burned into the picture on screen, within 1 s.
    assert abs((shown - burned_in).total_seconds()) <= 1.0, (shown, burned_in)
    # And the picture is the one asked for, plus what has played since the seek.
    assert target + timedelta(seconds=2) <= burned_in <= target + timedelta(seconds=6), (target, burned_in)
    assert any("/playback/renditions/" in url for url in requested)
    assert page.is_hidden("#player-error")


def test_the_live_view_of_a_motion_jpeg_camera_plays_its_newest_footage(page, web):
    camera = CameraFactory()
    record_footage(camera, MJPEG, start=datetime.now(tz=UTC) - timedelta(seconds=12), segments=3)
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    page.context.add_cookies([session_cookie(operator, web.url)])
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{web.url}/dashboard/cameras/{camera.pk}/live/")
    page.wait_for_function("() => document.querySelector('figure.live').dataset.wallclockMs", timeout=30_000)
    assert any("/playback/renditions/" in url for url in requested)
    assert page.inner_text("figure.live [data-role=error]") == ""


def test_a_codec_the_browser_only_claims_to_play_gives_a_sentence_not_an_hls_code(page, web):
    camera = CameraFactory()
    record_footage(camera, HEVC, start=T0, segments=3)
    # A browser that says it decodes H.265 but cannot: the recorded segments are asked for as they are.
    page.add_init_script(
        "const real = MediaSource.isTypeSupported.bind(MediaSource);"
        "MediaSource.isTypeSupported = (t) => t.includes('hvc1') || real(t);"
    )
    open_playback(page, web, camera, T0 + timedelta(seconds=2))
    page.wait_for_selector("#player-error:not([hidden])", timeout=30_000)
    text = page.inner_text("#player-error")
    assert text == "Šios kameros vaizdo formato ši naršyklė negali parodyti."
    assert not any(code in text for code in HLS_CODES)


def test_footage_deleted_after_the_playlist_was_made_is_explained(page, web):
    camera = CameraFactory()
    segments = record_footage(camera, MJPEG, start=T0, segments=3)
    for segment in segments:
        storage.absolute(segment.path).unlink()
    open_playback(page, web, camera, T0 + timedelta(seconds=2))
    page.wait_for_selector("#player-error:not([hidden])", timeout=30_000)
    text = page.inner_text("#player-error")
    assert text == "Šio vaizdo įrašo nėra arba jis ištrintas."
    assert not any(code in text for code in HLS_CODES)


@pytest.mark.parametrize(
    ("trouble", "sentence"),
    [
        ("busy", "Serveris užimtas ruošdamas vaizdą. Grotuvas netrukus bandys dar kartą."),
        ("network", "Ryšys su serveriu nutrūko. Patikrinkite tinklą; grotuvas bando toliau."),
    ],
)
def test_a_busy_server_or_a_lost_connection_is_said_and_the_player_carries_on(page, web, trouble, sentence):
    camera = CameraFactory()
    record_footage(camera, MJPEG, start=T0, segments=3)
    failing = {"left": 2}

    def renditions(route):
        if failing["left"] <= 0:
            route.continue_()
            return
        failing["left"] -= 1
        if trouble == "busy":  # what the server answers when every transcoding slot stays taken
            route.fulfill(status=503, headers={"Retry-After": "2"}, json={"error": "busy"})
        else:
            route.abort("connectionfailed")

    page.route("**/playback/renditions/*", renditions)
    open_playback(page, web, camera, T0 + timedelta(seconds=2))
    page.wait_for_function(f"() => document.getElementById('player-error').textContent === {sentence!r}")
    page.wait_for_function(
        f"() => {{ const v = document.querySelector('{VIDEO}'); return !v.paused && v.currentTime > 0.5; }}",
        timeout=30_000,
    )
    page.wait_for_selector("#player-error", state="hidden")
    assert failing["left"] == 0
