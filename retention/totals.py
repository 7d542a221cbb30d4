"""Running byte totals of closed days, per camera and capture node (docs/partitioning.md).

The storage projection needs each camera's stored bytes every 10 minutes. Summing the segment rows read
the whole index (62 M rows at 96 cameras × 30 days). A day's rows stop changing once it is closed
(sealed: INTEGRITY_SEAL_DELAY after its end), except by deletion, so each closed day is summed once,
from its own partition, and kept in `StoredDay`. Deletions keep those totals right in their own
transaction: `delete_batch` subtracts what it deleted, a whole-day sweep forgets its day (whatever it
kept is summed again). A row added to a closed day later (a late segment) gives the day a higher
segment id than the one summed, and the day is summed again. Only the open days (today, yesterday) and
the default partition are summed on every call. PostgreSQL with partitions only: elsewhere (SQLite, the
demo) the plain sum is cheap enough.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max, Sum

from cameras.models import Camera
from recordings import partitions
from recordings.models import Segment

from .models import StoredDay


def last_closed_day(now: datetime) -> date:
    """The latest day that is sealed or due to be (integrity.services.seal_pending's rule)."""
    return (now - settings.INTEGRITY_SEAL_DELAY).astimezone(UTC).date() - timedelta(days=1)


def stored_bytes(*, node: str, now: datetime) -> dict[int, int]:
    """Bytes of every camera's footage indexed on `node`: closed days from their totals (summed once
    each), the open days and the default partition from their rows."""
    if not partitions.is_partitioned():
        return _sums(Segment.objects.filter(node=node))
    closed = {day: table for day, table in partitions.day_partitions().items() if day <= last_closed_day(now)}
    # Totals of days whose partition is gone (dropped by a sweep that raced a summing) mean nothing.
    StoredDay.objects.exclude(day__in=closed).delete()
    through = dict(StoredDay.objects.values("day").annotate(t=Max("through_id")).values_list("day", "t"))
    for day, table in closed.items():
        if day not in through or _highest_id(table) > through[day]:
            _sum_day(day, table)
    totals = _sums(StoredDay.objects.filter(node=node, day__in=closed))
    boundary = partitions.day_bounds(max(closed))[1] if closed else None
    live = Segment.objects.filter(node=node)
    if boundary is not None:
        live = live.filter(start__gte=boundary)
    for camera_id, size in _sums(live).items():
        totals[camera_id] = totals.get(camera_id, 0) + size
    if boundary is not None:
        # Stragglers of closed days waiting in the default partition for their own.
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT camera_id, sum(bytes) FROM {partitions.DEFAULT} WHERE node = %s AND start < %s GROUP BY 1",
                [node, boundary],
            )
            for camera_id, size in cur.fetchall():
                totals[camera_id] = totals.get(camera_id, 0) + int(size)
    return totals


def _sums(qs: object) -> dict[int, int]:
    return {c: int(b or 0) for c, b in qs.values("camera").annotate(b=Sum("bytes")).values_list("camera", "b")}


def _highest_id(table: str) -> int:
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # the primary key's index, backwards: one entry
        return cur.fetchone()[0]


def _sum_day(day: date, table: str) -> None:
    """Sum one closed day from its partition. Under the deletions' lock (every camera, then the
    partition, in that order, as a whole-day sweep takes them): no deletion of the day runs meanwhile,
    and late inserts into it wait the second the sum takes."""
    with transaction.atomic(), connection.cursor() as cur:
        list(Camera.objects.select_for_update(no_key=True).order_by("pk").values_list("pk", flat=True))
        cur.execute("SELECT to_regclass(%s)", [table])
        if cur.fetchone()[0] is None:
            return  # swept meanwhile
        cur.execute(f"LOCK TABLE {table} IN SHARE MODE")
        StoredDay.objects.filter(day=day).delete()
        cur.execute(
            "INSERT INTO retention_storedday (day, camera_id, node, bytes, through_id) "
            f"SELECT %s, camera_id, node, sum(bytes), max(max(id)) OVER () FROM {table} GROUP BY camera_id, node",
            [day],
        )


def subtract(camera_id: int, rows: Iterable[tuple[datetime, str, int]]) -> None:
    """Take deleted rows (start, node, bytes) of a camera off their closed days' totals; called in the
    deleting transaction (delete_batch), under its lock on the camera."""
    if not partitions.is_partitioned():
        return
    gone: dict[tuple[date, str], int] = {}
    for start, node, size in rows:
        key = (start.astimezone(UTC).date(), node)
        gone[key] = gone.get(key, 0) + size
    for (day, node), size in gone.items():
        StoredDay.objects.filter(day=day, camera_id=camera_id, node=node).update(bytes=F("bytes") - size)


def forget_day(day: date) -> None:
    """A whole-day sweep drops or rebuilds the day's partition: its totals go in the same transaction,
    and whatever it kept is summed again on the next call."""
    StoredDay.objects.filter(day=day).delete()
