"""Cameras that cannot be recorded get a clear error, no crash loop, and never leak their password."""

import os

import pytest

from cameras.models import Camera, CameraStatus
from simulator.fleet import free_port
from tests.factories import CameraFactory
from tests.support.scenario import hold
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow

PASSWORD = "Correct-Horse-77"
WRONG = "Wrong-Battery-99"


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_unrecordable_cameras_report_why_and_do_not_burn_cpu(capture_stack, simulator):
    secured = simulator("Secured", user="operator", password=PASSWORD)
    silent = simulator("Audio only", audio_only=True)
    hung = simulator("Hung")
    hung.pause()
    cameras = {
        "wrong password": CameraFactory(rtsp_url=secured.url, rtsp_username="operator", rtsp_password=WRONG),
        "no video": CameraFactory(rtsp_url=silent.url),
        "unreachable": CameraFactory(rtsp_url=f"rtsp://127.0.0.1:{free_port()}/live"),
        "hung": CameraFactory(rtsp_url=hung.url),
        "unknown host": CameraFactory(rtsp_url="rtsp://camera.invalid/live", rtsp_password=WRONG, rtsp_username="x"),
        # A row written around validation (an import, a bad migration) must not crash the recorder.
        "malformed": Camera.objects.create(
            eldership=CameraFactory().eldership, name="Malformed", rtsp_url="rtsp://127.0.0.1:99999999/"
        ),
    }
    capture_stack.dispatcher()
    worker = capture_stack.capture_worker()

    expected = {
        # The status keeps a code (cameras/reasons.py); each reader sees it in their language.
        "wrong password": ("error", "auth_refused"),
        "no video": ("error", "no_video_track"),
        "unreachable": ("offline", "connection_refused"),
        "hung": ("offline", "timed_out"),
        "unknown host": ("error", "host_unresolved"),
        "malformed": ("error", "url_invalid"),
    }

    def reported() -> bool:
        statuses = {k: CameraStatus.objects.filter(camera=c).first() for k, c in cameras.items()}
        return all(s and s.state == expected[k][0] for k, s in statuses.items())

    try:
        wait_for(reported, timeout=40, what="every camera to report its problem")
    except AssertionError:
        print(
            {
                k: CameraStatus.objects.filter(camera=c).values_list("state", "reason").first()
                for k, c in cameras.items()
            }
        )
        print(worker.tail(60))
        raise
    for key, camera in cameras.items():
        status = CameraStatus.objects.get(camera=camera)
        assert status.reason == expected[key][1], (key, status.reason)
        assert WRONG not in status.effective_state()[1] and PASSWORD not in status.effective_state()[1]

    # Backed off, not spinning: the worker uses a small fraction of a core while all of them fail.
    before = _cpu_seconds(worker.pid)
    hold(10)
    assert _cpu_seconds(worker.pid) - before < 1.0
    assert WRONG not in worker.output() and PASSWORD not in worker.output()

    # A hung camera that answers again is recorded again.
    hung.resume()
    wait_for(
        lambda: CameraStatus.objects.get(camera=cameras["hung"]).state == "recording",
        timeout=30,
        what="the hung camera to record once it answers",
    )

    # Fixing the password is picked up without restarting anything.
    camera = cameras["wrong password"]
    camera.rtsp_password = PASSWORD
    camera.save()
    wait_for(
        lambda: CameraStatus.objects.get(camera=camera).state == "recording",
        timeout=90,
        what="the fixed camera to record",
    )
