"""A capture task delivered twice (broker redelivery, a second dispatcher) records the camera once."""

import pytest

from recordings.capture import lease
from recordings.tasks import record_camera
from tests.factories import CameraFactory
from tests.recordings.footage import holes, recorded_seconds, segments_of
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def test_duplicate_delivery_of_a_capture_task_records_once(capture_stack, simulator):
    camera = CameraFactory(rtsp_url=simulator("Camera").url)
    workers = [capture_stack.capture_worker("capture-a"), capture_stack.capture_worker("capture-b")]
    for _ in range(3):
        record_camera.delay(camera.pk)

    wait_for(lambda: recorded_seconds(camera) >= 10, timeout=60, what="10 s of recording")
    holder = lease.holder_of(camera.pk)
    output = "".join(w.output() for w in workers)
    assert output.count("succeeded in") and output.count(f"'camera {camera.pk} is already being recorded'") == 2
    assert holes(segments_of(camera)) == []  # no overlapping segments from a second recorder
    assert lease.holder_of(camera.pk) == holder
