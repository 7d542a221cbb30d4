"""A camera's timeline: recorded spans, gaps, footage deleted (when and why), missing files, holds.

The one timeline: the retention API returns it as it is, playback's day view (playback.services) in
epoch milliseconds for the player."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

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
SELECT lower(span) AS start, upper(span) - %(tolerance)s AS "end", totals[1] AS segments, totals[2] AS bytes
FROM (
    SELECT range_agg(tstzrange(start, "end" + %(tolerance)s)) AS spans, count(*) AS segments, sum(bytes) AS bytes
    FROM recordings_segment
    WHERE camera_id = %(camera)s AND start > %(earliest)s AND start < %(end)s AND "end" > %(start)s
) AS agg, unnest(agg.spans) AS span,
LATERAL (
    -- One span (footage without a hole, the usual window) is all of the rows: no second pass.
    SELECT CASE WHEN span = range_merge(agg.spans) THEN ARRAY[agg.segments, agg.bytes] ELSE (
        SELECT ARRAY[count(*), sum(bytes)]
        FROM recordings_segment
        WHERE camera_id = %(camera)s AND start > %(earliest)s AND start < %(end)s AND "end" > %(start)s
          AND start >= lower(span) AND start < upper(span)
    ) END AS totals
) AS counted
ORDER BY 1
"""


def _spans_params(camera_id: int, start: datetime, end: datetime) -> dict:
    earliest = start - LONGEST_SEGMENT
    return {"tolerance": CONTIGUOUS, "camera": camera_id, "earliest": earliest, "start": start, "end": end}


def recorded_spans(camera_id: int, start: datetime, end: datetime) -> list[Span]:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_SPANS_SQL, _spans_params(camera_id, start, end))
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
    lists = {
        "gaps": Gap.objects.filter(camera_id=camera_id)
        .overlapping(start, end)
        .order_by("start")
        .values("start", "end", "cause", "detail"),
        "deleted": DeletedRange.objects.filter(camera_id=camera_id)
        .overlapping(start, end)
        .order_by("start")
        .values("start", "end", "reason", "deleted_at", "segment_count"),
        "missing": Segment.objects.filter(camera_id=camera_id, status=SegmentStatus.MISSING)
        .overlapping(start, end)
        .order_by("start")
        .values("start", "end", "path"),
        "holds": holds.covering(camera_id)
        .overlapping(start, end)
        .order_by("start")
        .values("id", "start", "end", "reason"),
    }
    if connection.vendor == "postgresql":
        return _together(camera_id, start, end, lists)
    return {"recorded": recorded_spans(camera_id, start, end), **{name: list(qs) for name, qs in lists.items()}}


_TIMES = ("start", "end", "deleted_at")


def _together(camera_id: int, start: datetime, end: datetime, lists: dict[str, object]) -> dict[str, list]:
    """The spans and the lists in one statement: five round trips (each planned against the partitions)
    cost more than the queries themselves on a busy server. Each list comes back as JSON, in its order."""
    with connection.cursor() as cursor:
        parts = [
            cursor.mogrify(
                "SELECT coalesce(json_agg(json_build_array(start, \"end\", segments, bytes) ORDER BY start), '[]') "
                f"FROM ({_SPANS_SQL}) AS spans",
                _spans_params(camera_id, start, end),
            ).decode()
        ]
        for qs in lists.values():
            sql, params = qs.query.sql_with_params()
            parts.append(
                cursor.mogrify(
                    f"SELECT coalesce(json_agg(row ORDER BY row.start), '[]') FROM ({sql}) AS row", params
                ).decode()
            )
        cursor.execute("SELECT " + ", ".join(f"({part})" for part in parts))
        recorded, *found = cursor.fetchone()
    shown = {"recorded": [Span(_time(s), _time(e), n, int(b)) for s, e, n, b in recorded]}
    for name, rows in zip(lists, found, strict=True):
        for row in rows:
            for key in _TIMES:
                if key in row:
                    row[key] = _time(row[key])
        shown[name] = rows
    return shown


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
