"""Disk pressure with recording running, on a real small filesystem (a tmpfs as RECORDINGS_ROOT).

The dispatcher's beat runs relieve_disk_pressure every 2 s with a 12 MiB watermark: when a ballast
file pushes free space under it, the oldest unheld footage goes first, held footage stays, the
camera's shortfall alarm opens, and recording goes on. With only held footage left, the critical
"storage full" alarm opens instead and nothing held is deleted."""

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from alarms.models import Alarm
from recordings.models import Gap, Segment
from retention import services
from retention.choices import DeletionReason
from retention.models import DeletedRange
from retention.storage import disk, update_shortfall_alarms
from tests.factories import CameraFactory
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow

MiB = 2**20
WATERMARK = 12 * MiB


@pytest.fixture
def small_disk(recordings_root: Path, settings: object) -> Path:
    """A 48 MiB tmpfs mounted over the test's RECORDINGS_ROOT (needs root)."""
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(recordings_root)], check=False)
    if result.returncode != 0:
        pytest.skip("mounting a tmpfs needs root")
    settings.NODE_NAME = "test-node"  # the capture worker's node name
    settings.STORAGE_MIN_FREE_BYTES = WATERMARK
    settings.STORAGE_MIN_FREE_PERCENT = 0
    yield recordings_root
    subprocess.run(["umount", "-l", str(recordings_root)], check=False)


def fill_until_free(root: Path, free: int) -> Path:
    ballast = root / "ballast.bin"
    with ballast.open("ab") as f:
        f.write(b"\0" * max(0, disk().free - free))
    return ballast


def count(camera: object) -> int:
    return Segment.objects.filter(camera=camera).count()


def test_oldest_unheld_footage_goes_first_held_stays_and_recording_goes_on(small_disk, capture_stack, simulator):
    camera = CameraFactory(rtsp_url=simulator("Pressure").url)
    capture_stack.env.update(
        STORAGE_MIN_FREE_BYTES=str(WATERMARK), STORAGE_MIN_FREE_PERCENT="0", STORAGE_CHECK_INTERVAL_SECONDS="2"
    )
    capture_stack.dispatcher()
    capture_stack.capture_worker()
    # Enough footage (~0.55 MiB per segment) that deleting the unheld part frees more than the margin.
    wait_for(lambda: count(camera) >= 12, timeout=120, what="twelve segments", interval=0.5)

    first = list(Segment.objects.filter(camera=camera).order_by("start")[:6])
    held = first[2:4]
    services.create_hold(camera_ids=[camera.pk], start=held[0].start, end=held[-1].end, reason="Incident 12")
    ballast = fill_until_free(small_disk, WATERMARK - 1 * MiB)

    wait_for(
        lambda: DeletedRange.objects.filter(camera=camera, reason=DeletionReason.DISK_PRESSURE).exists(),
        timeout=30,
        what="deletion under disk pressure",
    )
    wait_for(lambda: disk().free >= WATERMARK, timeout=30, what="free space back above the watermark")

    # The oldest went first; the held segments stayed, files and rows.
    assert not Segment.objects.filter(pk=first[0].pk).exists()
    for segment in held:
        assert Segment.objects.filter(pk=segment.pk).exists()
        assert (small_disk / segment.path).exists()
    deleted_until = max(DeletedRange.objects.filter(camera=camera).values_list("end", flat=True))
    unheld_left = Segment.objects.filter(camera=camera).exclude(pk__in=[s.pk for s in held])
    assert all(s.start >= deleted_until - timedelta(milliseconds=1) for s in unheld_left)

    alarm = wait_for(
        lambda: Alarm.objects.open().filter(kind="retention_shortfall", camera=camera).first(),
        timeout=15,
        what="shortfall alarm",
    )
    assert (alarm.params["held_days"], alarm.params["retention_days"]) == (0.0, 30)
    assert "holds 0.0 days" in alarm.text and "not its 30" in alarm.text

    # Recording never stopped: new segments keep coming, no gap was recorded.
    before = count(camera)
    wait_for(lambda: count(camera) >= before + 3, timeout=30, what="recording going on after the deletion")
    assert not Gap.objects.filter(camera=camera).exists()

    # Only held footage left (everything held) and the disk full: critical alarm, nothing held deleted.
    services.create_hold(
        camera_ids=[camera.pk],
        start=timezone.now() - timedelta(days=1),
        end=timezone.now() + timedelta(days=1),
        reason="Everything, for the test",
    )
    kept = set(Segment.objects.filter(camera=camera).values_list("pk", flat=True))
    fill_until_free(small_disk, WATERMARK - 3 * MiB)
    full = wait_for(
        lambda: Alarm.objects.open().filter(kind="storage_full").first(), timeout=20, what="storage full alarm"
    )
    assert full.severity == "critical"
    assert kept <= set(Segment.objects.filter(camera=camera).values_list("pk", flat=True))

    ballast.unlink()
    wait_for(
        lambda: not Alarm.objects.open().filter(kind="storage_full").exists(), timeout=20, what="full alarm clears"
    )
    assert count(camera) > before

    # The shortfall alarm clears by itself once the lost stretch is older than the retention period.
    update_shortfall_alarms(now=timezone.now() + timedelta(days=31))
    alarm.refresh_from_db()
    assert alarm.ended_at is not None
