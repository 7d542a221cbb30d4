"""The indexer writes what recorders report in rounds; a row the database refuses never stops the rest."""

import logging
from datetime import UTC, datetime, timedelta

import pytest

from cameras.models import CameraStatus
from recordings.capture.clock import Boundary, ClockSource
from recordings.capture.indexer import Indexer, _write_statuses
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


def reported(camera_id: int, **fields) -> dict[int, dict]:
    """One camera's status report as the indexer queues it: the same fields for every camera of a round."""
    return {camera_id: {"recorder": "node-1", "width": 1280, **fields}}


@pytest.mark.parametrize(
    ("refused", "error"),
    [({"recorder": "x" * 500}, "value too long"), ({"width": -1}, "check constraint")],
    ids=["value-too-long", "check-constraint"],
)
def test_a_status_the_database_refuses_in_the_batched_update_is_dropped_and_the_others_are_written(
    refused, error, caplog
):
    """The round's one batched UPDATE fails as a whole when one row's value is refused (DataError for a
    value too long, IntegrityError for a CHECK constraint): row by row, only that camera is dropped."""
    cameras = [CameraFactory() for _ in range(3)]
    for camera in cameras:
        CameraStatus.objects.create(camera=camera, recorder="old", width=640)
    statuses = reported(cameras[0].pk) | reported(cameras[1].pk, **refused) | reported(cameras[2].pk)
    assert len({tuple(sorted(fields)) for fields in statuses.values()}) == 1  # one batch for all three

    with caplog.at_level(logging.WARNING, logger="recordings.capture.indexer"):
        _write_statuses(statuses)

    written = dict(CameraStatus.objects.values_list("camera_id", "recorder"))
    assert written == {cameras[0].pk: "node-1", cameras[1].pk: "old", cameras[2].pk: "node-1"}
    assert CameraStatus.objects.get(camera=cameras[1]).width == 640  # none of the refused report is written
    assert f"status of camera {cameras[1].pk} dropped" in caplog.text
    assert error in caplog.text


def test_a_refused_status_does_not_stall_the_round(recordings_root):
    """Through the indexer's thread: the refused row is not retried as if the database were away."""
    camera, other = CameraFactory(), CameraFactory()
    indexer = Indexer("test-node")
    indexer.status(camera.pk, state="recording", reason="")
    indexer.status(other.pk, state="recording", reason="")
    assert indexer.flush(timeout=10)
    indexer.status(camera.pk, width=-1)
    indexer.status(other.pk, width=1920)
    assert indexer.flush(timeout=10)
    assert CameraStatus.objects.get(camera=other).width == 1920
    assert CameraStatus.objects.get(camera=camera).width is None
