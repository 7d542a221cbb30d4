"""Recorded time: the union of a camera's segments (overlaps counted once), per camera and Vilnius day.

Vilnius is a whole number of hours from UTC in summer and in winter, so every local day (23, 24 or 25 hours)
is a run of whole UTC hours. Settled hours (ended SETTLE ago) are computed once, by one set-based statement
per run of missing hours, into CoverageHour (PostgreSQL); a trigger on the segment table removes the hours
whose rows change. The hours not yet settled, and every hour on other databases (the SQLite demo), are
computed from the segment rows directly.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Max

from birzai_vms import localtime
from cameras.models import Camera
from recordings.choices import SegmentStatus
from recordings.models import Segment
from recordings.querysets import LONGEST_SEGMENT
from retention.models import DeletedRange

from .models import DeletionsSeen

HOUR = timedelta(hours=1)
# An hour is stored once it ended this long ago: the indexer writes a segment a few seconds after its end.
SETTLE = timedelta(minutes=10)

# Per camera: segments clipped to [a, b), chained into islands (a segment starting after everything before
# it ended opens a new one), each island cut into the UTC hours it covers. Reads each segment row once,
# through the (camera, start) index.
_HOURS_SQL = """
WITH s AS (
    SELECT camera_id, GREATEST(start, %(a)s) AS s, LEAST("end", %(b)s) AS e
    FROM recordings_segment
    WHERE camera_id = ANY(%(cameras)s) AND status = %(ok)s
      AND start < %(b)s AND start > %(a_early)s AND "end" > %(a)s
), reach AS (
    SELECT camera_id, s, e, MAX(e) OVER (
        PARTITION BY camera_id ORDER BY s, e ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS before
    FROM s
), numbered AS (
    SELECT camera_id, s, e, SUM(CASE WHEN before IS NULL OR s > before THEN 1 ELSE 0 END) OVER (
        PARTITION BY camera_id ORDER BY s, e ROWS UNBOUNDED PRECEDING
    ) AS island
    FROM reach
), islands AS (
    SELECT camera_id, MIN(s) AS s, MAX(e) AS e FROM numbered GROUP BY camera_id, island
)
SELECT i.camera_id, h.hour,
       SUM((EXTRACT(EPOCH FROM LEAST(i.e, h.hour + interval '1 hour') - GREATEST(i.s, h.hour)) * 1000000)::bigint)
FROM islands i, LATERAL generate_series(
    date_trunc('hour', i.s AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', i.e - interval '1 microsecond', interval '1 hour'
) AS h(hour)
GROUP BY i.camera_id, h.hour
"""

_FILL_SQL = f"""
INSERT INTO reports_coveragehour (camera_id, hour, recorded_us)
SELECT c.id, h.hour, COALESCE(x.us, 0)
FROM unnest(%(cameras)s::bigint[]) AS c(id)
CROSS JOIN generate_series(%(a)s::timestamptz, %(b)s::timestamptz - interval '1 hour', interval '1 hour') AS h(hour)
LEFT JOIN ({_HOURS_SQL}) AS x(camera_id, hour, us) ON x.camera_id = c.id AND x.hour = h.hour
ON CONFLICT (camera_id, hour) DO NOTHING
"""


def recorded_by_day(
    camera_ids: list[int], start: datetime, end: datetime, *, now: datetime
) -> dict[tuple[int, date], float]:
    """Seconds recorded per (camera, Vilnius date) in [start, end): `start` and `end` are local midnights."""
    if not camera_ids or start >= end:
        return {}
    if connection.vendor != "postgresql":
        return _live_by_day(camera_ids, start, end)
    settled = max(start, min(end, _floor_hour(now - SETTLE)))
    result = _stored_by_day(camera_ids, start, settled) if settled > start else {}
    if settled < end:
        for key, seconds in _live_by_day(camera_ids, settled, end).items():
            result[key] = result.get(key, 0.0) + seconds
    return result


def _floor_hour(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


def _stored_by_day(camera_ids: list[int], start: datetime, end: datetime) -> dict[tuple[int, date], float]:
    _fill_missing(camera_ids, start, end)
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT camera_id, (hour AT TIME ZONE 'Europe/Vilnius')::date, SUM(recorded_us)
            FROM reports_coveragehour
            WHERE camera_id = ANY(%s) AND hour >= %s AND hour < %s AND recorded_us > 0
            GROUP BY 1, 2
            """,
            [camera_ids, start, end],
        )
        return {(camera, day): int(us) / 1e6 for camera, day, us in cur.fetchall()}


def _forget_deleted_footage() -> None:
    """Forget the stored hours of footage deleted since the last look (see DeletionsSeen). The deletion
    and its DeletedRange commit together; a fill computed from before it is forgotten here afterwards."""
    newest = DeletedRange.objects.aggregate(newest=Max("id"))["newest"] or 0
    seen = DeletionsSeen.objects.filter(pk=1).values_list("last_id", flat=True).first() or 0
    if newest <= seen:
        return
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("LOCK TABLE reports_coveragehour IN SHARE ROW EXCLUSIVE MODE")
        mark, _created = DeletionsSeen.objects.select_for_update().get_or_create(pk=1)
        cur.execute(
            """
            DELETE FROM reports_coveragehour c USING retention_deletedrange d
            WHERE d.id > %s AND d.id <= %s AND c.camera_id = d.camera_id
              AND c.hour > d.start - interval '1 hour' AND c.hour < d."end"
            """,
            [mark.last_id, newest],
        )
        mark.last_id = max(mark.last_id, newest)
        mark.save(update_fields=["last_id"])


def _fill_missing(camera_ids: list[int], start: datetime, end: datetime) -> None:
    """Compute the hours in [start, end) not stored, one statement per run of them, for the cameras that lack
    some (a camera added later does not make the others' month be computed again)."""
    _forget_deleted_footage()
    hours = int((end - start) / HOUR)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT camera_id FROM reports_coveragehour WHERE camera_id = ANY(%s) AND hour >= %s AND hour < %s "
            "GROUP BY camera_id HAVING count(*) = %s",
            [camera_ids, start, end, hours],
        )
        done = {row[0] for row in cur.fetchall()}
        incomplete = [pk for pk in camera_ids if pk not in done]
        if not incomplete:
            return
        cur.execute(
            "SELECT hour FROM reports_coveragehour WHERE camera_id = ANY(%s) AND hour >= %s AND hour < %s "
            "GROUP BY hour HAVING count(*) = %s",
            [incomplete, start, end, len(incomplete)],
        )
        complete = {row[0] for row in cur.fetchall()}
    missing = [h for h in (start + n * HOUR for n in range(hours)) if h not in complete]
    for a, b in _runs(missing):
        with transaction.atomic(), connection.cursor() as cur:
            # Serialises fills, and waits for segment changes in flight (their trigger holds a row lock on
            # this table until they commit): what is stored was computed from committed rows only.
            cur.execute("LOCK TABLE reports_coveragehour IN SHARE ROW EXCLUSIVE MODE")
            cur.execute(
                _FILL_SQL,
                {"cameras": incomplete, "a": a, "b": b, "a_early": a - LONGEST_SEGMENT, "ok": SegmentStatus.OK},
            )


def _runs(hours: list[datetime]) -> Iterable[tuple[datetime, datetime]]:
    """Consecutive hours as [first, last + 1 hour) runs."""
    run_start = previous = None
    for hour in hours:
        if previous is not None and hour - previous != HOUR:
            yield run_start, previous + HOUR
            run_start = None
        if run_start is None:
            run_start = hour
        previous = hour
    if run_start is not None:
        yield run_start, previous + HOUR


def _live_by_day(camera_ids: list[int], start: datetime, end: datetime) -> dict[tuple[int, date], float]:
    """The same figure straight from the segment rows: for the last, unsettled hour, and for SQLite."""
    rows = (
        Segment.objects.filter(camera_id__in=camera_ids, status=SegmentStatus.OK)
        .overlapping(start, end)
        .order_by("camera_id", "start", "end")
        .values_list("camera_id", "start", "end")
    )
    result: dict[tuple[int, date], float] = defaultdict(float)
    camera = island_start = island_end = None
    for row_camera, row_start, row_end in rows.iterator(chunk_size=5000):
        s, e = max(row_start, start), min(row_end, end)
        if row_camera == camera and s <= island_end:
            island_end = max(island_end, e)
            continue
        if camera is not None:
            _add_by_day(result, camera, island_start, island_end)
        camera, island_start, island_end = row_camera, s, e
    if camera is not None:
        _add_by_day(result, camera, island_start, island_end)
    return dict(result)


def _add_by_day(result: dict[tuple[int, date], float], camera: int, start: datetime, end: datetime) -> None:
    while start < end:
        day = localtime.local(start).date()
        piece_end = min(end, localtime.day_bounds(day)[1])
        result[(camera, day)] += (piece_end - start).total_seconds()
        start = piece_end


def store_settled_hours(*, now: datetime) -> int:
    """Store every settled hour not yet stored, for the cameras in service, back as far as the longest
    retention (a day more): run periodically, so that a report finds its hours computed and no request
    reads a month of segment rows. Returns the number of cameras looked at; PostgreSQL only."""

    if connection.vendor != "postgresql":
        return 0
    longest = Camera.objects.aggregate(days=Max("retention_days"))["days"]
    if longest is None:
        return 0
    end = _floor_hour(now - SETTLE)
    start = _floor_hour(now - timedelta(days=longest + 1))
    ids = list(Camera.objects.exclude(decommissioned_at__lt=start).values_list("pk", flat=True))
    if ids:
        _fill_missing(ids, start, end)
    return len(ids)
