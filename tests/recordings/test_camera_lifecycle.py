"""Disabling or decommissioning a camera stops its recorder within seconds; re-enabling records again;
a decommissioned camera is not recorded again and keeps its footage."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cameras.models import CameraStatus
from cameras.services import decommission_camera
from recordings.capture import lease
from recordings.choices import GapCause
from recordings.models import Gap, Segment
from tests.factories import CameraFactory
from tests.recordings.footage import recorded_seconds, recorded_until
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow


def test_disable_enable_and_delete_are_followed_within_seconds(capture_stack, simulator):
    source = simulator("Camera")
    camera = CameraFactory(rtsp_url=source.url)
    capture_stack.dispatcher()
    capture_stack.capture_worker()
    wait_for(lambda: recorded_seconds(camera) >= 4, timeout=60, what="recording")

    camera.enabled = False
    camera.save()
    disabled_at = timezone.now()
    wait_for(lambda: lease.holder_of(camera.pk) is None, timeout=10, what="the recorder to stop")
    status = wait_for(
        lambda: CameraStatus.objects.filter(camera=camera, state="disabled").first(),
        timeout=5,
        what="the disabled status",
    )
    assert status.effective_state()[0] == "disabled"
    assert recorded_until(camera) - disabled_at < timedelta(seconds=5)

    camera.enabled = True
    camera.save()
    wait_for(
        lambda: Segment.objects.filter(camera=camera, start__gt=disabled_at).exists(),
        timeout=30,
        what="recording after re-enabling",
    )
    gap = Gap.objects.get(camera=camera)
    assert gap.cause == GapCause.CAMERA_DISABLED

    holder = lease.holder_of(camera.pk)
    assert holder
    decommission_camera(camera_id=camera.pk, reason="Išmontuota")
    decommissioned_at = timezone.now()
    wait_for(
        lambda: lease.holder_of(camera.pk) is None, timeout=10, what="the recorder of the decommissioned camera to stop"
    )
    assert recorded_until(camera) - decommissioned_at < timedelta(seconds=5)
    # Two dispatcher rounds later (3 s each) it is still not recorded, and its footage is all there.
    wait_for(lambda: timezone.now() - decommissioned_at > timedelta(seconds=7), timeout=10, what="two rounds")
    assert lease.holder_of(camera.pk) is None
    assert Segment.objects.filter(camera=camera, start__gt=disabled_at).exists()
