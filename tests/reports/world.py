"""Index rows for the report tests, and the figures they imply computed the plain way (no SQL, no islands)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model

from incidents.models import Incident
from recordings.choices import GapCause, SegmentStatus
from recordings.models import Gap, Segment
from tests.factories import CameraFactory, EldershipFactory, SegmentFactory

# Vilnius goes from EEST (UTC+3) to EET (UTC+2) at 2026-10-25 04:00 local = 01:00 UTC: that day is 25 hours.
DST_DAY_START = datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
DST_DAY_END = datetime(2026, 10, 25, 22, 0, tzinfo=UTC)
CREATED = datetime(2026, 9, 1, tzinfo=UTC)


@dataclass
class ReportWorld:
    north: Any
    south: Any
    cam_a: Any
    cam_b: Any
    cam_c: Any


def seg(camera: Any, start: datetime, seconds: float, status: str = SegmentStatus.OK) -> Segment:
    return SegmentFactory(camera=camera, start=start, end=start + timedelta(seconds=seconds), status=status)


def build() -> ReportWorld:
    north = EldershipFactory(name="Pačeriaukštės", code="paceriaukstes")
    south = EldershipFactory(name="Širvėnos", code="sirvenos")
    cam_a = CameraFactory(eldership=north, name="Pačeriaukštės aikštė")
    cam_b = CameraFactory(eldership=north, name="Pačeriaukštės stotelė")
    cam_c = CameraFactory(eldership=south, name="Širvėnos parkas")
    type(cam_a).objects.filter(pk__in=[cam_a.pk, cam_b.pk, cam_c.pk]).update(created_at=CREATED)

    # cam_a: an hour of 4 s segments across the DST change (00:30-01:30 UTC: 03:30 EEST to 03:30 EET),
    # with one overlapping a neighbour by 1.5 s and a 2 s segment lying inside another.
    t = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    for n in range(900):
        seg(cam_a, t + timedelta(seconds=4 * n), 4)
    seg(cam_a, t + timedelta(seconds=3598.5), 4)  # overlaps the last one (ends 3600) by 1.5 s
    seg(cam_a, t + timedelta(seconds=1001), 2)  # inside another: counted once
    # Across the local midnight that opens the DST day (21:00 UTC): 10 s before, 10 s after.
    seg(cam_a, DST_DAY_START - timedelta(seconds=10), 20)
    # Across the local midnight that ends it (22:00 UTC on 25 October).
    seg(cam_a, DST_DAY_END - timedelta(seconds=3), 6)
    # A segment whose file is missing is not recorded time.
    seg(cam_a, datetime(2026, 10, 25, 12, 0, tzinfo=UTC), 4, SegmentStatus.MISSING)
    # The previous day and the next one.
    for n in range(30):
        seg(cam_a, datetime(2026, 10, 24, 10, 0, tzinfo=UTC) + timedelta(seconds=4 * n), 4)
        seg(cam_a, datetime(2026, 10, 26, 10, 0, tzinfo=UTC) + timedelta(seconds=4 * n), 4)

    # cam_b: two long overlapping segments (5 minutes, the longest there is) and a 1-hour hole.
    seg(cam_b, datetime(2026, 10, 25, 6, 0, tzinfo=UTC), 300)
    seg(cam_b, datetime(2026, 10, 25, 6, 4, tzinfo=UTC), 300)
    seg(cam_b, datetime(2026, 10, 25, 8, 0, tzinfo=UTC), 300)
    # cam_c: one segment in October, at the start of the month (local 1 October 00:00 = 30 Sept 21:00 UTC).
    seg(cam_c, datetime(2026, 9, 30, 20, 59, 58, tzinfo=UTC), 4)

    gaps = [
        (cam_a, DST_DAY_START - timedelta(minutes=30), DST_DAY_START - timedelta(seconds=10), GapCause.STREAM_STALLED),
        (cam_a, datetime(2026, 10, 25, 1, 30, 4, tzinfo=UTC), datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "stream_ended"),
        (cam_a, datetime(2026, 10, 25, 21, 0, tzinfo=UTC), DST_DAY_END + timedelta(hours=1), GapCause.STORAGE_ERROR),
        (
            cam_b,
            datetime(2026, 10, 25, 6, 9, tzinfo=UTC),
            datetime(2026, 10, 25, 8, 0, tzinfo=UTC),
            "camera_unreachable",
        ),
        (
            cam_b,
            datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 9, 30, tzinfo=UTC),
            "camera_unreachable",
        ),
    ]
    for camera, start, end, cause in gaps:
        Gap.objects.create(camera=camera, start=start, end=end, cause=cause)

    user = get_user_model().objects.create(username="budetojas")
    for camera, start, ack_after in [
        (cam_a, datetime(2026, 10, 25, 1, 30, 5, tzinfo=UTC), timedelta(minutes=7)),
        (cam_b, datetime(2026, 10, 25, 6, 10, tzinfo=UTC), timedelta(minutes=3)),
        (cam_b, datetime(2026, 10, 25, 9, 0, tzinfo=UTC), None),
        (cam_b, datetime(2026, 10, 27, 9, 0, tzinfo=UTC), timedelta(minutes=1)),
    ]:
        Incident.objects.create(
            camera=camera,
            kind="offline",
            started_at=start,
            ended_at=start + timedelta(minutes=20),
            acknowledged_at=start + ack_after if ack_after else None,
            acknowledged_by=user if ack_after else None,
        )
    return ReportWorld(north, south, cam_a, cam_b, cam_c)


def plain_recorded(camera: Any, start: datetime, end: datetime) -> float:
    """Seconds in [start, end) covered by at least one of the camera's segments on disk: cut the range at
    every segment edge and keep each piece some segment covers."""
    rows = [(s.start, s.end) for s in Segment.objects.filter(camera=camera, status=SegmentStatus.OK)]
    cuts = sorted({start, end} | {t for row in rows for t in row if start < t < end})
    total = 0.0
    for a, b in zip(cuts, cuts[1:], strict=False):
        if any(s <= a and b <= e for s, e in rows):
            total += (b - a).total_seconds()
    return total


def plain_gaps(camera: Any, start: datetime, end: datetime) -> dict[str, tuple[int, float]]:
    found: dict[str, tuple[int, float]] = {}
    for gap in Gap.objects.filter(camera=camera):
        a, b = max(gap.start, start), min(gap.end, end)
        if a < b:
            count, seconds = found.get(gap.cause, (0, 0.0))
            found[gap.cause] = (count + 1, seconds + (b - a).total_seconds())
    return found
