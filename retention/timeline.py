"""A camera's timeline: recorded spans, gaps, footage deleted (when and why), missing files, holds."""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from recordings.choices import SegmentStatus
from recordings.models import Gap, Segment
from recordings.querysets import CONTIGUOUS, LONGEST_SEGMENT

from .models import DeletedRange, Hold


@dataclass(frozen=True)
class Span:
    """Contiguous recorded footage."""

    start: datetime
    end: datetime
    segments: int
    bytes: int


def segments_in_range(camera_id: int, start: datetime, end: datetime) -> list[dict]:
    """The segments an export of [start, end) needs, in order (path, start, end, bytes, sha256)."""
    return list(
        Segment.objects.filter(camera_id=camera_id, start__gt=start - LONGEST_SEGMENT, start__lt=end, end__gt=start)
        .order_by("start")
        .values("id", "path", "start", "end", "bytes", "sha256")
    )


# Gaps and islands in the database: a day of 4 s segments is 21,600 rows but a handful of spans, and
# turning rows into Python datetimes would cost more than the query.
_SPANS_SQL = """
SELECT min(start), max("end"), count(*), sum(bytes) FROM (
    SELECT start, "end", bytes, sum(brk) OVER (ORDER BY start) AS grp FROM (
        SELECT start, "end", bytes,
               CASE WHEN start - lag("end") OVER (ORDER BY start) <= %s THEN 0 ELSE 1 END AS brk
        FROM recordings_segment
        WHERE camera_id = %s AND start > %s AND start < %s AND "end" > %s
    ) AS marked
) AS grouped
GROUP BY grp ORDER BY 1
"""


def recorded_spans(camera_id: int, start: datetime, end: datetime) -> list[Span]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_SPANS_SQL, [CONTIGUOUS, camera_id, start - LONGEST_SEGMENT, end, start])
            return [Span(*row) for row in cursor.fetchall()]
    spans: list[Span] = []
    rows = (
        Segment.objects.filter(camera_id=camera_id, start__gt=start - LONGEST_SEGMENT, start__lt=end, end__gt=start)
        .order_by("start")
        .values_list("start", "end", "bytes")
    )
    cur_start = cur_end = None
    count = size = 0
    for s, e, b in rows:
        if cur_end is not None and s - cur_end <= CONTIGUOUS:
            cur_end, count, size = max(cur_end, e), count + 1, size + b
            continue
        if cur_start is not None:
            spans.append(Span(cur_start, cur_end, count, size))
        cur_start, cur_end, count, size = s, e, 1, b
    if cur_start is not None:
        spans.append(Span(cur_start, cur_end, count, size))
    return spans


def timeline(*, camera_id: int, start: datetime, end: datetime) -> dict[str, list]:
    """Everything a timeline of [start, end) shows; time not covered by any of it was never recorded."""
    return {
        "recorded": recorded_spans(camera_id, start, end),
        "gaps": list(
            Gap.objects.filter(camera_id=camera_id)
            .overlapping(start, end)
            .order_by("start")
            .values("start", "end", "cause", "detail")
        ),
        "deleted": list(
            DeletedRange.objects.filter(camera_id=camera_id)
            .overlapping(start, end)
            .order_by("start")
            .values("start", "end", "reason", "deleted_at", "segment_count")
        ),
        "missing": list(
            Segment.objects.filter(
                camera_id=camera_id, status=SegmentStatus.MISSING, start__gt=start - LONGEST_SEGMENT, start__lt=end
            )
            .filter(end__gt=start)
            .order_by("start")
            .values("start", "end", "path")
        ),
        "holds": list(
            Hold.objects.active()
            .covering(camera_id)
            .overlapping(start, end)
            .order_by("start")
            .values("id", "start", "end", "reason")
        ),
    }
