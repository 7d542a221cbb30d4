"""The indexer writes what recorders report in rounds; a row the database refuses never stops the rest."""

from datetime import UTC, datetime, timedelta

import pytest

from cameras.models import CameraStatus
from recordings.capture.clock import Boundary, ClockSource
from recordings.capture.indexer import Indexer
from recordings.capture.session import ClosedSegment
from recordings.models import Gap, Segment
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db(transaction=True)
T0 = datetime(2026, 6, 13, 19, 0, tzinfo=UTC)


def closed(camera_id: int, root, n: int) -> ClosedSegment:
    relpath = f"{camera_id}/2026/06/13/19/{n:04d}.ts"
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x47" * 188 * (n + 1))
    start = T0 + timedelta(seconds=4 * n)
    end = start + timedelta(seconds=4)
    clock = Boundary(start.timestamp(), end.timestamp(), 0.0, False, ClockSource.ARRIVAL, 1.0, None, False, 0)
    return ClosedSegment(camera_id, relpath, start, end, 188 * (n + 1), "h264", 1280, 720, clock=clock)


def test_a_round_indexes_every_camera_and_drops_only_what_is_refused(recordings_root):
    cameras = [CameraFactory() for _ in range(3)]
    gone = CameraFactory()
    indexer = Indexer("test-node")
    for camera in cameras:
        indexer.status(camera.pk, state="recording", reason="")
    assert indexer.flush(timeout=10)
    gone_pk = gone.pk
    gone.delete()  # deleted while its recorder still reports
    for n in range(3):
        for camera in cameras:
            indexer.segment(closed(camera.pk, recordings_root, n))
        indexer.segment(closed(gone_pk, recordings_root, n))
    indexer.gap(cameras[0].pk, T0 - timedelta(seconds=30), T0, "camera_unreachable")
    # A value longer than its column: refused by the database, dropped, and the rest goes on.
    indexer.status(cameras[1].pk, recorder="x" * 500)
    assert indexer.flush(timeout=10)
    indexer.segment(closed(cameras[1].pk, recordings_root, 3))
    assert indexer.flush(timeout=10)

    for camera in cameras:
        assert Segment.objects.filter(camera=camera).count() == (4 if camera == cameras[1] else 3)
        status = CameraStatus.objects.get(camera=camera)
        assert status.last_segment_end == T0 + timedelta(seconds=16 if camera == cameras[1] else 12)
    assert not Segment.objects.filter(camera_id=gone_pk).exists()
    assert Gap.objects.filter(camera=cameras[0]).count() == 1
    assert CameraStatus.objects.get(camera=cameras[1]).recorder == ""


def test_a_segment_file_gone_before_it_is_hashed_is_left_out_and_the_round_goes_on(recordings_root):
    camera = CameraFactory()
    indexer = Indexer("test-node")
    kept, gone = closed(camera.pk, recordings_root, 0), closed(camera.pk, recordings_root, 1)
    (recordings_root / gone.relpath).unlink()
    indexer.segment(kept)
    indexer.segment(gone)
    assert indexer.flush(timeout=10)
    assert list(Segment.objects.filter(camera=camera).values_list("path", flat=True)) == [kept.relpath]
