"""A camera's timeline: recorded spans, gaps, footage deleted (when and why), missing files, holds.

The one timeline: the retention API returns it as it is, playback's day view (playback.services) in
epoch milliseconds for the player."""

from collections.abc import Iterable, Iterator
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
        Segment.objects.filter(camera_id=camera_id)
        .overlapping(start, end)
        .order_by("start")
        .values("id", "path", "start", "end", "bytes", "sha256")
    )


# Gaps and islands in the database: a day of 4 s segments is 21,600 rows but a handful of spans, and
# turning rows into Python datetimes would cost more than the query. range_agg merges the segments'
# ranges, each widened by the tolerance, wherever they overlap or touch: exactly where the next segment
# starts at most CONTIGUOUS after the latest end so far (a segment may end after the next one starts:
# recorded time is never shortened by overlap). It does in C, in one pass of the covering (camera,
# start) index, what window functions did at several times the cost. Each span's segments and bytes
# are then a plain count over its own stretch of the same index (docs/partitioning.md).
_SPANS_SQL = """
SELECT lower(span), upper(span) - %(tolerance)s, totals.segments, totals.bytes
FROM (
    SELECT unnest(range_agg(tstzrange(start, "end" + %(tolerance)s))) AS span
    FROM recordings_segment
    WHERE camera_id = %(camera)s AND start > %(earliest)s AND start < %(end)s AND "end" > %(start)s
) AS spans,
LATERAL (
    SELECT count(*) AS segments, sum(bytes) AS bytes
    FROM recordings_segment
    WHERE camera_id = %(camera)s AND start > %(earliest)s AND start < %(end)s AND "end" > %(start)s
      AND start >= lower(span) AND start < upper(span)
) AS totals
ORDER BY 1
"""


def recorded_spans(camera_id: int, start: datetime, end: datetime) -> list[Span]:
    if connection.vendor == "postgresql":
        params = {
            "tolerance": CONTIGUOUS,
            "camera": camera_id,
            "earliest": start - LONGEST_SEGMENT,
            "start": start,
            "end": end,
        }
        with connection.cursor() as cursor:
            cursor.execute(_SPANS_SQL, params)
            return [Span(s, e, count, int(size)) for s, e, count, size in cursor.fetchall()]
    rows = (
        Segment.objects.filter(camera_id=camera_id)
        .overlapping(start, end)
        .order_by("start")
        .values_list("start", "end", "bytes")
    )
    return _spans_from_edges(_edges(rows))


def _edges(rows: Iterable[tuple[datetime, datetime, int]]) -> Iterator[tuple]:
    """Every row marked first and/or last of its span, with running counts, for databases without range_agg
    (SQLite in the demo)."""
    rows = list(rows)
    count = size = 0
    span_end: datetime | None = None
    for i, (s, e, b) in enumerate(rows):
        is_first = span_end is None or s - span_end > CONTIGUOUS
        count, size, span_end = count + 1, size + b, e if span_end is None else max(span_end, e)
        is_last = i == len(rows) - 1 or rows[i + 1][0] - span_end > CONTIGUOUS
        yield s, span_end, b, is_first, is_last, count, size


def _spans_from_edges(edges: Iterable[tuple]) -> list[Span]:
    spans: list[Span] = []
    first_start, count_before, bytes_before = None, 0, 0
    for s, e, b, is_first, is_last, running_count, running_bytes in edges:
        if is_first:
            first_start, count_before, bytes_before = s, running_count - 1, running_bytes - b
        if is_last:
            spans.append(Span(first_start, e, running_count - count_before, int(running_bytes - bytes_before)))
    return spans


def timeline(*, camera_id: int, start: datetime, end: datetime, user: object = None) -> dict[str, list]:
    """Everything a timeline of [start, end) shows; time not covered by any of it was never recorded.
    With a user, only the holds they may see (a hold that also covers a camera out of their scope is left out)."""
    holds = Hold.objects.active() if user is None else Hold.objects.restrict(user, "view").active()
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
            Segment.objects.filter(camera_id=camera_id, status=SegmentStatus.MISSING)
            .overlapping(start, end)
            .order_by("start")
            .values("start", "end", "path")
        ),
        "holds": list(
            holds.covering(camera_id).overlapping(start, end).order_by("start").values("id", "start", "end", "reason")
        ),
    }
