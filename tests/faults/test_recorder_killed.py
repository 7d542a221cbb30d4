"""SIGKILL of the process that records, twice: the cut segment is kept, another worker takes over."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from recordings.capture import lease
from recordings.choices import GapCause
from recordings.models import Gap, Segment
from tests.factories import CameraFactory
from tests.recordings.footage import assert_segment_is_sound, recorded_seconds
from tests.support.scenario import hold
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def test_killed_recorder_loses_nothing_on_disk_and_recording_moves_on(capture_stack, simulator):
    camera = CameraFactory(rtsp_url=simulator("Camera").url)
    capture_stack.dispatcher()
    workers = [capture_stack.capture_worker("capture-a"), capture_stack.capture_worker("capture-b")]
    wait_for(lambda: recorded_seconds(camera) >= 4, timeout=60, what="recording to start")

    for round_ in (1, 2):
        holder = wait_for(lambda: lease.holder_of(camera.pk), timeout=20, what="a lease holder")
        victim = next(w for w in workers if w.pid == int(holder.split(":")[1]))
        hold(random.uniform(0.5, 3.5))  # a random moment inside a segment
        victim.kill()
        killed_at = timezone.now()

        after = wait_for(
            lambda t=killed_at: Segment.objects.filter(camera=camera, start__gt=t).first(),
            timeout=40,
            what=f"recording to resume after kill {round_}",
        )
        assert after.start - killed_at <= timedelta(seconds=15)
        # The segment being written when the worker died is on disk, playable, and indexed.
        cut = Segment.objects.filter(camera=camera, start__lt=killed_at).order_by("-start").first()
        assert killed_at - cut.end < timedelta(seconds=1.5)
        assert_segment_is_sound(cut)
        gap = wait_for(lambda c=cut: Gap.objects.filter(camera=camera, start=c.end).first(), timeout=5, what="the gap")
        assert gap.end == after.start
        assert gap.cause == GapCause.RECORDER_RESTARTED

        # A supervisor (systemd, docker) would start the dead worker again.
        workers.remove(victim)
        workers.append(capture_stack.capture_worker(f"capture-restarted-{round_}"))

    assert Gap.objects.filter(camera=camera).count() == 2
