"""Daily range partitions of the segment index on PostgreSQL (docs/partitioning.md).

`recordings_segment` is partitioned by range of `start`, one partition per UTC day
(`recordings_segment_pYYYYMMDD`), plus a default partition that receives any row whose day has no
partition yet: the indexer never waits for, and never loses a row to, a missing partition. The beat
task `maintain_segment_partitions` creates the coming days ahead and splits out of the default
partition any day that has rows in it (a late or caught-up segment). SQLite (the demo) is not
partitioned: every function here is a no-op there.
"""

import logging
import re
from datetime import UTC, date, datetime, timedelta

from django.db import OperationalError, connection, transaction
from django.utils import timezone

log = logging.getLogger(__name__)

TABLE = "recordings_segment"
DEFAULT = f"{TABLE}_default"
_NAME = re.compile(rf"^{TABLE}_p(\d{{8}})$")
DAY = timedelta(days=1)


def partition_name(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + DAY


def is_partitioned() -> bool:
    """True on PostgreSQL once migration 0007 made the segment table partitioned."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cur.fetchone()
    return bool(row) and row[0] == "p"


def day_partitions() -> dict[date, str]:
    """The attached daily partitions, by day (the default partition is not one of them)."""
    if not is_partitioned():
        return {}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [name for (name,) in cur.fetchall()]
    found = {}
    for name in names:
        if match := _NAME.match(name):
            found[datetime.strptime(match.group(1), "%Y%m%d").date()] = name
    return dict(sorted(found.items()))


def create_day_partition(day: date) -> bool:
    """Create the day's partition (False if it exists), moving the day's rows out of the default partition.

    One transaction: the moved rows are never absent from the index. CREATE TABLE … PARTITION OF would
    refuse while the default partition holds rows of that day, so those are moved into a plain table
    that is then attached (its check scans only that table and the default partition, both small)."""
    if not is_partitioned():
        return False
    name = partition_name(day)
    start, end = day_bounds(day)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [name])
        if cur.fetchone()[0] is not None:
            return False
        # CREATE … PARTITION OF locks the whole table for a moment: never queue every reader behind a
        # long query for it (the next run tries again; rows meanwhile go to the default partition).
        cur.execute("SET LOCAL lock_timeout = '5s'")
        # Inserts routed to the default partition wait here for a moment; others are not touched.
        cur.execute(f"LOCK TABLE {DEFAULT} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE start >= %s AND start < %s)", [start, end])
        if not cur.fetchone()[0]:
            cur.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)", [start, end])
            return True
        cur.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cur.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE start >= %s AND start < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        moved = cur.rowcount
        cur.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    log.info("segment partition %s created with %d rows moved from the default partition", name, moved)
    return True


def days_in_default() -> list[date]:
    """UTC days that have rows in the default partition (normally none: it is for stragglers)."""
    if not is_partitioned():
        return []
    with connection.cursor() as cur:
        cur.execute(f"SELECT DISTINCT (start AT TIME ZONE 'UTC')::date FROM {DEFAULT} ORDER BY 1")
        return [day for (day,) in cur.fetchall()]


def ensure_partitions(*, now: datetime | None = None, ahead: int | None = None) -> list[date]:
    """Yesterday's, today's and the next `ahead` days' partitions exist; days found in the default
    partition get theirs. Returns the days created. Safe to run at any time, and twice."""
    from django.conf import settings

    if not is_partitioned():
        return []
    now = now or timezone.now()
    ahead = settings.SEGMENT_PARTITION_DAYS_AHEAD if ahead is None else ahead
    today = now.astimezone(UTC).date()
    wanted = [today + timedelta(days=n) for n in range(-1, ahead + 1)] + days_in_default()
    return [day for day in sorted(set(wanted)) if create_day_partition(day)]


def drop_partition(name: str) -> None:
    """Detach and drop a daily partition. The caller has recorded what its rows were.

    DETACH takes an ACCESS EXCLUSIVE lock on the whole segment table (CONCURRENTLY is not allowed with a
    default partition); it is the last statement before the caller's commit, so it is held for
    milliseconds, and lock_timeout keeps it from queueing every reader behind a long query."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '5s'")
        cur.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        cur.execute(f"DROP TABLE {name}")


def replace_partition(name: str, day: date, keep_query: str, params: dict) -> int:
    """Swap the day's partition for a copy holding only the rows `keep_query` selects (all columns, in
    the table's order); returns how many rows were kept. Costs the kept rows, not the day's."""
    start, end = day_bounds(day)
    fresh = f"{name}_keep"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {fresh}")
        cur.execute(f"CREATE TABLE {fresh} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cur.execute(f"INSERT INTO {fresh} {keep_query}", params)
        kept = cur.rowcount
        drop_partition(name)
        cur.execute(f"ALTER TABLE {fresh} RENAME TO {name}")
        cur.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end])
    return kept


def vacuum_finished_day(*, now: datetime | None = None) -> str | None:
    """VACUUM (ANALYZE) yesterday's partition, which takes no more rows: its visibility map then lets a
    timeline or a sweep read (camera, start, end, bytes) from the covering index alone. Autovacuum does
    it for most of the day (after every fifth of the rows inserted), not for the day's last hours.
    Repeating it costs little: pages already all-visible are skipped. Returns the partition vacuumed."""
    if not is_partitioned() or connection.in_atomic_block:
        return None  # VACUUM cannot run inside a transaction (a caller's, or a test's)
    now = now or timezone.now()
    name = partition_name(now.astimezone(UTC).date() - DAY)
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [name])
        if cur.fetchone()[0] is None:
            return None
        cur.execute(f"VACUUM (ANALYZE) {name}")
    return name


def _camera_start_index(name: str) -> tuple[str, bool] | None:
    """The partition's own index of the unique (camera, start) index, and whether CLUSTER marked it."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT x.indexrelid::regclass::text, x.indisclustered FROM pg_inherits i "
            "JOIN pg_index x ON x.indexrelid = i.inhrelid "
            "WHERE i.inhparent = 'segment_unique_camera_start'::regclass AND x.indrelid = to_regclass(%s)",
            [name],
        )
        row = cur.fetchone()
    return (row[0], row[1]) if row else None


def is_compacted(name: str) -> bool:
    """True once `compact_partition` rewrote the partition (CLUSTER marked its (camera, start) index)."""
    index = _camera_start_index(name)
    return bool(index and index[1])


def compact_partition(name: str) -> bool:
    """CLUSTER one day partition on its (camera, start) index, unless it was already (False then).

    Holds an ACCESS EXCLUSIVE lock on that partition for the rewrite (about 12 s for 2 M rows): reads of
    that day and late inserts into it wait, and land afterwards: no row can be missed. lock_timeout
    keeps it from queueing every reader of the day behind a long query for the lock."""
    index = _camera_start_index(name)
    if index is None or index[1]:
        return False
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL lock_timeout = '5s'")
        cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
        cur.execute(f"CLUSTER {name} USING {index[0]}")
    return True


def compact_closed_day(*, now: datetime | None = None) -> str | None:
    """Rewrite the newest closed, not yet compacted day partition in (camera, start) order; returns its name.

    The indexer writes rows in time order across cameras, so one camera's hour is spread over ~900 table
    pages; after CLUSTER it sits on ~25 consecutive ones (a 1 h export's rows). A day is closed
    INTEGRITY_SEAL_DELAY after its end (a returning node's catch-up has landed by then). CLUSTER marks
    the index it used (`pg_index.indisclustered`): that is the record that the day was compacted, so each
    day is rewritten once (a partition rebuilt by a sweep or moved out of the default partition is a new
    table, and is compacted again). One day per call; the caller vacuums it afterwards (the rewrite
    leaves the visibility map empty)."""
    from django.conf import settings

    if not is_partitioned():
        return None
    now = now or timezone.now()
    last_closed = (now - settings.INTEGRITY_SEAL_DELAY).astimezone(UTC).date() - DAY
    for day, name in sorted(day_partitions().items(), reverse=True):
        index = _camera_start_index(name) if day <= last_closed else None
        if index is None or index[1]:
            continue
        began = timezone.now()
        try:
            compact_partition(name)
        except OperationalError as exc:  # the lock was not granted in time: the next run tries again
            log.warning("segment partition %s not compacted: %s", name, exc)
            return None
        log.info("segment partition %s compacted in (camera, start) order in %s", name, timezone.now() - began)
        return name
    return None


def vacuum_partition(name: str) -> None:
    """VACUUM (ANALYZE) one partition (nothing inside a transaction, where VACUUM cannot run)."""
    if connection.in_atomic_block:
        return
    with connection.cursor() as cur:
        cur.execute(f"VACUUM (ANALYZE) {name}")
