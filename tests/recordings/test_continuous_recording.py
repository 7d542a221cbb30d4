"""Two simulated cameras recorded end to end by a real capture worker: files, index, exact times."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraStatus
from recordings.capture import storage
from recordings.models import Gap
from tests.factories import CameraFactory
from tests.recordings.footage import (
    assert_segment_is_sound,
    first_and_last_frame_times,
    holes,
    recorded_seconds,
    segments_of,
)
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def test_two_cameras_are_recorded_continuously_with_exact_times(capture_stack, simulator):
    cameras = [CameraFactory(rtsp_url=simulator(f"Camera {n}").url) for n in (1, 2)]
    capture_stack.dispatcher()
    capture_stack.capture_worker()

    wait_for(lambda: all(recorded_seconds(c) >= 30 for c in cameras), timeout=90, what="30 s of both cameras")

    for camera in cameras:
        segments = segments_of(camera)
        for segment in segments:
            assert_segment_is_sound(segment)
            assert 1.5 <= segment.duration.total_seconds() <= 8.5
            # Indexed within 2 s of the file being closed (its last write).
            closed = storage.absolute(segment.path).stat().st_mtime
            assert segment.indexed_at.timestamp() - closed <= 2.0
        assert holes(segments) == []
        assert not Gap.objects.filter(camera=camera).exists()

        # Exact time: the index agrees with the capture clock burned into the frames by the simulator.
        for segment in segments:
            first, last, step = first_and_last_frame_times(segment)
            assert abs((segment.start - first).total_seconds()) <= 0.5, (segment.path, first)
            assert abs((segment.end - (last + timedelta(seconds=step))).total_seconds()) <= 0.5, (segment.path, last)
        began, _, _ = first_and_last_frame_times(segments[0])
        assert abs((segments[0].start - began).total_seconds()) <= 1.0

        status = CameraStatus.objects.get(camera=camera)
        assert status.effective_state() == ("recording", "")
        assert (status.codec, status.width, status.height) == ("h264", 1280, 720)
        assert status.bitrate_kbps > 100
        assert status.clock_offset_s is not None and abs(status.clock_offset_s) < 1.0
        assert timezone.now() - status.last_segment_end < timedelta(seconds=10)
