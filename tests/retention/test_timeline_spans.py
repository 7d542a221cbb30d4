"""Recorded spans: the SQL of PostgreSQL and the Python of the embedded SQLite mode agree."""

from datetime import UTC, datetime, timedelta

import factory
import pytest

from recordings.models import Segment
from retention.timeline import Span, _edges, _spans_from_edges, recorded_spans
from tests.factories import CameraFactory, SegmentFactory

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


def add(camera, first: datetime, count: int, seconds: float = 4.0) -> None:
    starts = [first + timedelta(seconds=i * seconds) for i in range(count)]
    SegmentFactory.create_batch(
        count,
        camera=camera,
        start=factory.Iterator(starts),
        end=factory.LazyAttribute(lambda s: s.start + timedelta(seconds=seconds)),
        bytes=factory.Iterator(range(1000, 1000 + count)),
    )


@pytest.mark.django_db
def test_spans_break_at_every_hole_longer_than_the_tolerance_and_count_their_segments():
    camera = CameraFactory()
    add(camera, T0, 5)  # 10:00:00 – 10:00:20
    add(camera, T0 + timedelta(seconds=20.2), 2)  # 0.2 s later: the same recording
    add(camera, T0 + timedelta(seconds=40), 1)  # a hole of 11.8 s
    add(camera, T0 + timedelta(seconds=60), 3)  # another hole
    other = CameraFactory()
    add(other, T0, 20)  # another camera's footage never mixes in

    spans = recorded_spans(camera.pk, T0 - timedelta(minutes=1), T0 + timedelta(minutes=2))

    assert spans == [
        Span(T0, T0 + timedelta(seconds=28.2), 7, sum(range(1000, 1005)) + 1000 + 1001),
        Span(T0 + timedelta(seconds=40), T0 + timedelta(seconds=44), 1, 1000),
        Span(T0 + timedelta(seconds=60), T0 + timedelta(seconds=72), 3, 1000 + 1001 + 1002),
    ]
    rows = Segment.objects.filter(camera=camera).order_by("start").values_list("start", "end", "bytes")
    assert _spans_from_edges(_edges(rows)) == spans
    # A range that starts inside a segment includes it, and nothing before the range comes back.
    assert recorded_spans(camera.pk, T0 + timedelta(seconds=61), T0 + timedelta(seconds=62)) == [
        Span(T0 + timedelta(seconds=60), T0 + timedelta(seconds=64), 1, 1000)
    ]
    assert recorded_spans(camera.pk, T0 + timedelta(seconds=45), T0 + timedelta(seconds=59)) == []


@pytest.mark.django_db
def test_a_segment_that_overlaps_the_next_does_not_shorten_its_span():
    camera = CameraFactory()
    add(camera, T0, 1, seconds=10)  # 10:00:00 – 10:00:10
    add(camera, T0 + timedelta(seconds=2), 1, seconds=2)  # inside it (e.g. a second node after a failover)
    add(camera, T0 + timedelta(seconds=10.1), 1)  # continues the first one
    add(camera, T0 + timedelta(seconds=30), 1)

    spans = recorded_spans(camera.pk, T0, T0 + timedelta(minutes=1))

    assert spans == [
        Span(T0, T0 + timedelta(seconds=14.1), 3, 3000),
        Span(T0 + timedelta(seconds=30), T0 + timedelta(seconds=34), 1, 1000),
    ]
    rows = Segment.objects.filter(camera=camera).order_by("start").values_list("start", "end", "bytes")
    assert _spans_from_edges(_edges(rows)) == spans


@pytest.mark.django_db
def test_the_database_and_python_agree_on_random_footage_with_holes_overlaps_and_cut_windows():
    import random

    rng = random.Random(7)
    camera = CameraFactory()
    at, starts = T0, []
    for _ in range(300):
        # Mostly back to back; sometimes just within or just past the tolerance, a hole, or an overlap.
        at += timedelta(seconds=rng.choice([0, 0, 0, 0.25, 0.251, 0.1, 3, 30, -1]))
        length = rng.choice([4, 4, 4, 2, 9])
        starts.append((at, length))
        at += timedelta(seconds=length)
    SegmentFactory.create_batch(
        len(starts),
        camera=camera,
        start=factory.Iterator([s for s, _ in starts]),
        end=factory.Iterator([s + timedelta(seconds=n) for s, n in starts]),
        bytes=factory.Iterator(range(500, 500 + len(starts))),
    )
    for first, last in ((T0, at), (T0 + timedelta(seconds=101.5), T0 + timedelta(seconds=777.7))):
        rows = (
            Segment.objects.filter(camera=camera)
            .overlapping(first, last)
            .order_by("start")
            .values_list("start", "end", "bytes")
        )
        assert recorded_spans(camera.pk, first, last) == _spans_from_edges(_edges(rows))
