"""The admin's "test connection" probes the real stream and says what it found or why not."""

import pytest

from recordings.probe import probe_camera
from simulator.fleet import free_port
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db


def test_probe_reports_codec_resolution_and_frame_rate(simulator):
    camera = CameraFactory.build(rtsp_url=simulator("Probe").url)
    result = probe_camera(camera)
    assert result.ok, result.error
    assert (result.codec, result.width, result.height) == ("h264", 1280, 720)
    assert 11 <= result.fps <= 13
    assert str(result).startswith("H264 1280×720")


def test_probe_explains_failures_without_showing_the_password(simulator):
    secured = simulator("Secured", user="operator", password="Right-Pass-1")
    silent = simulator("Silent", audio_only=True)
    cases = {
        "refused the user name or password": CameraFactory.build(
            rtsp_url=secured.url, rtsp_username="operator", rtsp_password="Wrong-Pass-2"
        ),
        "no video track": CameraFactory.build(rtsp_url=silent.url),
        "refused the connection": CameraFactory.build(rtsp_url=f"rtsp://127.0.0.1:{free_port()}/live"),
        "cannot be resolved": CameraFactory.build(rtsp_url="rtsp://no-such-camera.invalid/live"),
    }
    for expected, camera in cases.items():
        result = probe_camera(camera, timeout=3)
        assert not result.ok
        assert expected in result.error
        assert "Wrong-Pass-2" not in result.error


def test_admin_action_shows_the_probe_result(admin_client, simulator):
    camera = CameraFactory(rtsp_url=simulator("Probe").url)
    response = admin_client.post(
        "/admin/cameras/camera/", {"action": "test_connection", "_selected_action": [camera.pk]}, follow=True
    )
    assert f"{camera.name}: H264 1280×720" in response.content.decode()
