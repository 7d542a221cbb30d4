"""A segment indexed late (its node died writing it, and came back) takes its time out of the gap written
meanwhile: gaps never overlap segments, and what is left of a gap keeps its cause and detail."""

from datetime import UTC, datetime, timedelta

import pytest

from recordings.capture import storage
from recordings.capture.catch_up import index_file
from recordings.capture.indexer import _insert_gaps
from recordings.choices import GapCause
from recordings.models import Gap, Segment
from recordings.services import carve_gaps
from tests.factories import CameraFactory, SegmentFactory
from tests.retention.files import template

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)
DETAIL = "The capture node node-a stopped recording; node node-b took over."


def s(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def gaps_of(camera) -> list[tuple[datetime, datetime, str, str]]:
    return list(Gap.objects.filter(camera=camera).order_by("start").values_list("start", "end", "cause", "detail"))


@pytest.fixture
def camera():
    return CameraFactory()


def gap(camera, start: float, end: float) -> Gap:
    cause = GapCause.RECORDER_RESTARTED
    return Gap.objects.create(camera=camera, start=s(start), end=s(end), cause=cause, detail=DETAIL)


def test_a_segment_over_the_start_of_a_gap_shortens_it_and_the_cause_stays(camera):
    gap(camera, 10, 20)
    assert carve_gaps(camera_id=camera.pk, start=s(8), end=s(13)) == 1
    assert gaps_of(camera) == [(s(13), s(20), GapCause.RECORDER_RESTARTED, DETAIL)]


def test_a_segment_over_the_end_of_a_gap_shortens_it(camera):
    gap(camera, 10, 20)
    carve_gaps(camera_id=camera.pk, start=s(18), end=s(22))
    assert gaps_of(camera) == [(s(10), s(18), GapCause.RECORDER_RESTARTED, DETAIL)]


def test_a_segment_inside_a_gap_splits_it_in_two_with_the_same_cause(camera):
    gap(camera, 10, 20)
    carve_gaps(camera_id=camera.pk, start=s(12), end=s(15))
    assert gaps_of(camera) == [
        (s(10), s(12), GapCause.RECORDER_RESTARTED, DETAIL),
        (s(15), s(20), GapCause.RECORDER_RESTARTED, DETAIL),
    ]


def test_a_segment_over_a_whole_gap_or_all_but_a_sliver_removes_it(camera):
    gap(camera, 10, 20)
    gap(camera, 30, 34)
    carve_gaps(camera_id=camera.pk, start=s(9), end=s(21))
    carve_gaps(camera_id=camera.pk, start=s(30.1), end=s(33.9))  # what is left is no gap (≤ CONTIGUOUS)
    assert gaps_of(camera) == []


def test_other_cameras_and_times_are_untouched(camera):
    other = CameraFactory()
    gap(camera, 10, 20)
    gap(other, 10, 20)
    assert carve_gaps(camera_id=camera.pk, start=s(20), end=s(24)) == 0
    carve_gaps(camera_id=other.pk, start=s(0), end=s(30))
    assert gaps_of(camera) == [(s(10), s(20), GapCause.RECORDER_RESTARTED, DETAIL)]


def test_a_late_file_indexed_by_the_catch_up_carves_the_gap_around_it(camera, recordings_root, tmp_path):
    # The node that took over wrote the gap from the last segment it knew of (ending at 8 s) to its own first.
    SegmentFactory(camera=camera, start=s(4), end=s(8), node="node-b")
    gap(camera, 8, 30)
    late = storage.absolute(storage.segment_relpath(camera.pk, s(8)))
    late.parent.mkdir(parents=True)
    late.write_bytes(template(str(tmp_path)).read_bytes())

    segment = index_file(camera_id=camera.pk, path=late)

    assert segment.end > s(11)
    assert gaps_of(camera) == [(segment.end, s(30), GapCause.RECORDER_RESTARTED, DETAIL)]


def test_a_gap_written_over_a_segment_indexed_meanwhile_leaves_its_time_out(camera):
    # The late segment reached the index before the taking-over node's gap (written from its older view).
    SegmentFactory(camera=camera, start=s(8), end=s(11))
    written = Gap(camera=camera, start=s(8), end=s(30), cause=GapCause.RECORDER_RESTARTED, detail=DETAIL)
    _insert_gaps([written])
    _insert_gaps([written])  # a retry after an outage: the same end
    assert gaps_of(camera) == [(s(11), s(30), GapCause.RECORDER_RESTARTED, DETAIL)]
    assert Segment.objects.filter(camera=camera).count() == 1
