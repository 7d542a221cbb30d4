"""Queries behind playback: which segments make a playlist, what a day's timeline shows."""

import asyncio
from datetime import UTC, date, datetime, time
from typing import Any

from cameras.models import Camera
from recordings.choices import GapCause, SegmentStatus
from recordings.models import Gap, Segment
from retention.models import DeletedRange, Hold
from retention.timeline import recorded_spans

from . import localtime, playlists

LIVE_WINDOW = 4  # segments in a live playlist
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SEQUENCE_NUMBERS_PER_DAY = 100_000  # more than a day of segments (21,600 of 4 s)
LIVE_POLL_SECONDS = 0.1  # how often a blocking live playlist request looks for the next segment


def _playable(camera: Camera) -> Any:
    # A segment whose file vanished is left out: the player sees a discontinuity, not a failed download.
    return Segment.objects.of_camera(camera).exclude(status=SegmentStatus.MISSING)


def segment_rows(*, camera: Camera, start: datetime, end: datetime) -> list[playlists.Row]:
    return list(_playable(camera).overlapping(start, end).order_by("start").values_list("pk", "start", "end"))


def live_rows(*, camera: Camera) -> tuple[list[playlists.Row], int]:
    """The newest segments and the media sequence number of the first.

    A segment's number is its index among the camera's segments of its UTC day, on top of a base per
    day. A count over the whole history would run backwards at every retention sweep (the oldest
    footage goes); this one stays put, is a cheap count, and jumps forward once a day, at midnight UTC."""
    rows = list(_playable(camera).order_by("-start").values_list("pk", "start", "end")[:LIVE_WINDOW])
    rows.reverse()
    if not rows:
        return [], 0
    first = rows[0][1]
    day = datetime.combine(first.astimezone(UTC).date(), time.min, tzinfo=UTC)
    within_day = _playable(camera).filter(start__gte=day, start__lt=first).count()
    return rows, (day - EPOCH).days * SEQUENCE_NUMBERS_PER_DAY + within_day


async def wait_for_newer(*, camera: Camera, than: datetime, seconds: float) -> bool:
    """Wait up to `seconds` for a playable segment starting after `than`; True once there is one."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    newer = _playable(camera).filter(start__gt=than)
    while not await newer.aexists():
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(LIVE_POLL_SECONDS)
    return True


def _ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)


def day_timeline(*, camera: Camera, day: date) -> dict[str, Any]:
    """Recorded ranges and gaps (with causes) of one Vilnius day, as epoch milliseconds."""
    start, end = localtime.day_bounds(day)
    gaps = Gap.objects.of_camera(camera).overlapping(start, end).order_by("start")
    return {
        "camera_id": camera.pk,
        "date": day.isoformat(),
        "start": _ms(start),
        "end": _ms(end),
        "recorded": [[_ms(span.start), _ms(span.end)] for span in recorded_spans(camera.pk, start, end)],
        "gaps": [
            {
                "start": _ms(g.start),
                "end": _ms(g.end),
                "cause": g.cause,
                "label": str(GapCause(g.cause).label) if g.cause in GapCause.values else g.cause,
            }
            for g in gaps
        ],
        "deleted": [
            {"start": _ms(r.start), "end": _ms(r.end), "label": r.get_reason_display()}
            for r in DeletedRange.objects.filter(camera=camera, start__lt=end, end__gt=start).order_by("start")
        ],
        "holds": [
            {"start": _ms(h.start), "end": _ms(h.end)}
            for h in Hold.objects.filter(cameras=camera, released_at__isnull=True, start__lt=end, end__gt=start)
        ],
    }
