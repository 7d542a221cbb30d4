"""The player's day view is the one timeline (retention.timeline) of a Vilnius day in epoch milliseconds:
the same recorded spans, gaps, deletions (with their reason) and active holds the retention API gives."""

from datetime import UTC, date, datetime, timedelta

import factory
import pytest

from playback import services
from recordings.choices import GapCause
from recordings.models import Gap
from retention.choices import DeletionReason
from retention.models import DeletedRange, Hold
from retention.timeline import timeline
from tests.factories import CameraFactory, SegmentFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 6, 13, 19, 0, tzinfo=UTC)
DAY = date(2026, 6, 13)  # in Vilnius: 2026-06-12 21:00 – 2026-06-13 21:00 UTC


def ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)


def test_the_day_view_shows_the_timeline_of_the_retention_api_in_milliseconds():
    camera = CameraFactory()
    SegmentFactory.create_batch(
        3, camera=camera, start=factory.Iterator(T0 + timedelta(seconds=4 * i) for i in range(3))
    )
    Gap.objects.create(camera=camera, start=T0 + timedelta(seconds=12), end=T0 + timedelta(minutes=1), cause="odd")
    Gap.objects.create(camera=camera, start=T0 - timedelta(hours=2), end=T0, cause=GapCause.STREAM_ENDED)
    DeletedRange.objects.create(
        camera=camera,
        start=T0 - timedelta(hours=5),
        end=T0 - timedelta(hours=4),
        segment_count=900,
        bytes=10**9,
        reason=DeletionReason.DISK_PRESSURE,
        deleted_at=T0,
    )
    active = Hold.objects.create(start=T0 - timedelta(hours=1), end=T0 + timedelta(hours=1), reason="Case 12")
    released = Hold.objects.create(
        start=T0, end=T0 + timedelta(hours=1), reason="Case 9", released_at=T0, release_reason="Closed"
    )
    for hold in (active, released):
        hold.cameras.add(camera)

    day = services.day_timeline(camera=camera, day=DAY)
    shown = timeline(
        camera_id=camera.pk, start=datetime(2026, 6, 12, 21, tzinfo=UTC), end=datetime(2026, 6, 13, 21, tzinfo=UTC)
    )

    assert (day["start"], day["end"]) == (
        ms(datetime(2026, 6, 12, 21, tzinfo=UTC)),
        ms(datetime(2026, 6, 13, 21, tzinfo=UTC)),
    )
    assert (
        day["recorded"]
        == [[ms(s.start), ms(s.end)] for s in shown["recorded"]]
        == [[ms(T0), ms(T0 + timedelta(seconds=12))]]
    )
    assert [(g["start"], g["cause"], g["label"]) for g in day["gaps"]] == [
        (ms(T0 - timedelta(hours=2)), "stream_ended", str(GapCause.STREAM_ENDED.label)),
        (ms(T0 + timedelta(seconds=12)), "odd", "odd"),  # a cause this release does not know is shown as stored
    ]
    assert day["deleted"] == [
        {
            "start": ms(T0 - timedelta(hours=5)),
            "end": ms(T0 - timedelta(hours=4)),
            "label": str(DeletionReason.DISK_PRESSURE.label),
        }
    ]
    assert day["holds"] == [{"start": ms(active.start), "end": ms(active.end)}]  # released holds no longer count
