"""A camera that goes away for 20 s: the outage is a Gap, recording resumes, other cameras are untouched."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraStatus
from recordings.choices import GapCause
from recordings.models import Gap
from tests.factories import CameraFactory
from tests.recordings.footage import assert_segment_is_sound, holes, recorded_seconds, recorded_until, segments_of
from tests.support.scenario import hold
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def test_outage_is_recorded_as_a_gap_and_recording_resumes(capture_stack, simulator):
    failing, steady = simulator("Failing"), simulator("Steady")
    camera, other = CameraFactory(rtsp_url=failing.url), CameraFactory(rtsp_url=steady.url)
    capture_stack.dispatcher()
    capture_stack.capture_worker()
    wait_for(lambda: recorded_seconds(camera) >= 6 and recorded_seconds(other) >= 6, timeout=60, what="recording")

    stopped_at = timezone.now()
    failing.stop()
    wait_for(lambda: CameraStatus.objects.get(camera=camera).state == "offline", timeout=10, what="offline status")
    hold(20 - (timezone.now() - stopped_at).total_seconds())
    failing.start()
    returned_at = timezone.now()

    gap = wait_for(lambda: Gap.objects.filter(camera=camera).first(), timeout=30, what="the outage's Gap")
    assert gap.cause == GapCause.STREAM_ENDED
    assert abs((gap.start - stopped_at).total_seconds()) <= 2.0
    assert -2.0 <= (gap.end - returned_at).total_seconds() <= 2.0
    resumed = wait_for(
        lambda: segments_of(camera)[-1].start >= gap.end and segments_of(camera)[-1],
        timeout=15,
        what="a segment after the outage",
    )
    assert (resumed.start - returned_at) <= timedelta(seconds=5)
    assert_segment_is_sound(resumed)

    # The camera's own footage is continuous on both sides of the gap and nowhere else broken.
    segments = segments_of(camera)
    assert holes(segments) == [(gap.start, gap.end)]
    # The other camera never noticed.
    wait_for(lambda: recorded_until(other) >= resumed.end, timeout=15, what="the steady camera to catch up")
    assert holes(segments_of(other)) == []
    assert not Gap.objects.filter(camera=other).exists()
