"""The segment index partitioned by day on PostgreSQL: rows for a day without a partition are kept and
moved into it, queries read only the days they ask for, and the migration carries a populated table."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cameras.models import Camera
from playback.services import segment_rows
from recordings import partitions
from recordings.capture.indexer import _insert
from recordings.models import Segment
from retention.timeline import _SPANS_SQL, segments_in_range
from tests.factories import CameraFactory, SegmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("partitioning is PostgreSQL's; SQLite keeps one table")


def home(segment_id: int) -> str:
    """The partition a row is stored in."""
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM recordings_segment WHERE id = %s", [segment_id])
        return cur.fetchone()[0]


def scanned(sql: str, params: object = None) -> set[str]:
    """The partitions PostgreSQL's plan for the query reads."""
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    return set(re.findall(r"\b(recordings_segment_(?:p\d{8}|default))\b", plan))


def test_the_indexer_writes_into_a_day_that_has_no_partition_and_maintenance_moves_it_there():
    camera = CameraFactory()
    day = datetime(2027, 3, 14, tzinfo=UTC)  # months ahead: no partition made for it
    assert day.date() not in partitions.day_partitions()
    rows = [SegmentFactory.build(camera=camera, start=day + timedelta(hours=7, seconds=4 * n)) for n in range(3)]

    _insert(Segment, rows)  # what the capture indexer does

    stored = list(Segment.objects.filter(camera=camera).order_by("start").values_list("pk", flat=True))
    assert len(stored) == 3 and {home(pk) for pk in stored} == {partitions.DEFAULT}

    assert day.date() in partitions.ensure_partitions(now=datetime(2026, 11, 27, tzinfo=UTC))
    name = partitions.partition_name(day.date())
    assert {home(pk) for pk in stored} == {name}
    assert list(Segment.objects.filter(camera=camera).order_by("start").values_list("pk", flat=True)) == stored
    # The next row of that day goes straight to its partition; running maintenance again changes nothing.
    _insert(Segment, [SegmentFactory.build(camera=camera, start=day + timedelta(hours=8))])
    assert home(Segment.objects.get(camera=camera, start=day + timedelta(hours=8)).pk) == name
    assert partitions.ensure_partitions(now=datetime(2026, 11, 27, tzinfo=UTC)) == []


def test_partitions_are_made_ahead_by_the_beat_task():
    from recordings.tasks import maintain_segment_partitions

    maintain_segment_partitions()
    today = datetime.now(UTC).date()
    assert {today + timedelta(days=n) for n in range(-1, 4)} <= set(partitions.day_partitions())


def test_timeline_playlist_and_range_lookups_read_only_the_days_they_ask_for():
    camera = CameraFactory()
    base = datetime(2026, 11, 1, tzinfo=UTC)
    for n in range(10):
        partitions.create_day_partition((base + timedelta(days=n)).date())
    start = base + timedelta(days=5, hours=10)
    end = start + timedelta(hours=1)
    day5, day4 = partitions.partition_name(start.date()), partitions.partition_name((start - timedelta(days=1)).date())

    # An hour's range lookup (exports) and the player's playlist: that day only.
    assert scanned(*Segment.objects.filter(camera_id=camera.pk).overlapping(start, end).query.sql_with_params()) == {
        day5
    }
    qs = Segment.objects.of_camera(camera).exclude(status="missing").overlapping(start, end).order_by("start")
    assert scanned(*qs.query.sql_with_params()) == {day5}
    assert segment_rows(camera=camera, start=start, end=end) == [] and segments_in_range(camera.pk, start, end) == []
    # A 24 h timeline from 10:00: that day and the next; from midnight also the day before's last minutes.
    params = {
        "tolerance": timedelta(seconds=0.25),
        "camera": camera.pk,
        "start": start,
        "end": start + timedelta(days=1),
    }
    params["earliest"] = start - timedelta(minutes=5)
    assert scanned(_SPANS_SQL, params) == {day5, partitions.partition_name((start + timedelta(days=1)).date())}
    midnight = base + timedelta(days=5)
    params.update(start=midnight, earliest=midnight - timedelta(minutes=5), end=midnight + timedelta(days=1))
    assert scanned(_SPANS_SQL, params) == {day4, day5}


def test_the_migration_partitions_a_populated_table_and_keeps_every_row():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("recordings")
    executor.migrate([("recordings", "0006_recorder_truth")])
    assert not partitions.is_partitioned()
    camera = Camera.objects.create(name="Old", rtsp_url="rtsp://127.0.0.1:9/live", eldership=CameraFactory().eldership)
    with connection.cursor() as cur:
        cur.execute(
            """INSERT INTO recordings_segment (camera_id, start, "end", bytes, sha256, path, node, codec, width,
                   height, indexed_at, status, clock_source, clock_correction_ms)
               SELECT %s, t, t + interval '4 s', 1000, md5(t::text) || md5(t::text), 'p/' || t::text, 'n', 'h264',
                   640, 360, now(), 'ok', '', 0
               FROM generate_series('2026-08-30 22:00+00'::timestamptz, '2026-09-02 02:00+00', interval '4 s') AS t""",
            [camera.pk],
        )
        cur.execute("SELECT count(*), max(id), sum(id) FROM recordings_segment")
        before = cur.fetchone()
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as between migrate's transactions

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    assert partitions.is_partitioned()
    with connection.cursor() as cur:
        cur.execute("SELECT count(*), max(id), sum(id) FROM recordings_segment")
        assert cur.fetchone() == before
        cur.execute(f"SELECT count(*) FROM {partitions.DEFAULT}")
        assert cur.fetchone()[0] == 0
    days = set(partitions.day_partitions())
    assert {datetime(2026, 8, d, tzinfo=UTC).date() for d in (30, 31)} <= days
    assert {datetime(2026, 9, d, tzinfo=UTC).date() for d in (1, 2)} <= days
    # New rows continue the ids.
    new = SegmentFactory(camera=camera, start=datetime(2026, 9, 2, 3, tzinfo=UTC))
    assert new.pk == before[1] + 1


@pytest.mark.django_db(transaction=True)
def test_a_finished_day_is_vacuumed_and_its_timeline_is_read_from_the_index_alone():
    camera = CameraFactory()
    yesterday = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
    partitions.ensure_partitions()
    for n in range(50):
        start = yesterday + timedelta(seconds=4 * n)
        SegmentFactory(camera=camera, start=start, end=start + timedelta(seconds=4))

    assert partitions.vacuum_finished_day() == partitions.partition_name(yesterday.date())

    params = {
        "tolerance": timedelta(seconds=0.25),
        "camera": camera.pk,
        "earliest": yesterday - timedelta(hours=1),
        "start": yesterday,
        "end": yesterday + timedelta(hours=1),
    }
    with connection.cursor() as cur:
        # A handful of rows would be read by a plain scan: the plan the month-long index takes is forced.
        cur.execute("SET enable_seqscan = off")
        cur.execute("SET enable_bitmapscan = off")
        try:
            cur.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {_SPANS_SQL}", params)
            plan = "\n".join(row[0] for row in cur.fetchall())
        finally:
            cur.execute("RESET enable_seqscan")
            cur.execute("RESET enable_bitmapscan")
    assert "Index Only Scan using recordings_segment_p" in plan, plan
    assert "Heap Fetches: 0" in plan, plan


def relfilenode(name: str) -> int:
    """The partition's storage file: a new one after every rewrite."""
    with connection.cursor() as cur:
        cur.execute("SELECT relfilenode FROM pg_class WHERE oid = to_regclass(%s)", [name])
        return cur.fetchone()[0]


def test_a_closed_day_is_rewritten_once_in_camera_order_by_the_task_and_still_takes_late_rows(settings):
    from recordings.tasks import maintain_segment_partitions

    cameras = [CameraFactory() for _ in range(3)]
    now = datetime.now(UTC)
    closed = (now - settings.INTEGRITY_SEAL_DELAY).date() - timedelta(days=1)  # the newest closed day
    today = now.date()
    partitions.ensure_partitions()
    partitions.create_day_partition(closed)
    name, today_name = partitions.partition_name(closed), partitions.partition_name(today)
    base = datetime(closed.year, closed.month, closed.day, 10, tzinfo=UTC)
    # As the indexer writes them: time-major across cameras.
    _insert(
        Segment,
        [SegmentFactory.build(camera=c, start=base + timedelta(seconds=4 * n)) for n in range(40) for c in cameras],
    )
    SegmentFactory(camera=cameras[0], start=now.replace(minute=0, second=0, microsecond=0))  # today's
    far = datetime(2027, 3, 14, 7, tzinfo=UTC)  # no partition: the default partition's
    _insert(Segment, [SegmentFactory.build(camera=cameras[1], start=far)])
    columns = 'id, camera_id, start, "end", bytes, sha256, path, node, status'
    with connection.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM {name}")
        before = set(cur.fetchall())
    untouched = {n: relfilenode(n) for n in (today_name, partitions.DEFAULT)}
    assert not partitions.is_compacted(name)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # CLUSTER refuses a table with pending foreign-key checks

    maintain_segment_partitions()

    assert partitions.is_compacted(name)
    with connection.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM {name}")
        assert set(cur.fetchall()) == before
        cur.execute(f"SELECT camera_id, start FROM {name} ORDER BY ctid")
        physical = cur.fetchall()
    assert physical == sorted(physical) and len(physical) == 120
    assert {n: relfilenode(n) for n in untouched} == untouched
    assert not partitions.is_compacted(today_name) and not partitions.is_compacted(partitions.DEFAULT)
    assert Segment.objects.filter(start=far).exists()  # moved to its own partition, not compacted: not closed
    assert not partitions.is_compacted(partitions.partition_name(far.date()))
    # A late row of that day still lands in its partition; the next run does not rewrite the day again.
    late = SegmentFactory(camera=cameras[2], start=base + timedelta(hours=5))
    assert home(late.pk) == name
    compacted = relfilenode(name)
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    maintain_segment_partitions()
    assert relfilenode(name) == compacted
    assert Segment.objects.filter(start__gte=base, start__lt=base + timedelta(hours=6)).count() == 121


@pytest.mark.django_db(transaction=True)
def test_a_late_row_sent_while_its_day_is_rewritten_waits_and_lands():
    import threading
    import time

    from django.db import connections, transaction

    camera = CameraFactory()
    day = datetime(2025, 1, 7, tzinfo=UTC)
    partitions.create_day_partition(day.date())
    name = partitions.partition_name(day.date())
    _insert(Segment, [SegmentFactory.build(camera=camera, start=day + timedelta(seconds=4 * n)) for n in range(20)])
    late = SegmentFactory.build(camera=camera, start=day + timedelta(hours=3))
    done = threading.Event()

    def send_late_row() -> None:
        try:
            _insert(Segment, [late])  # the indexer's own connection, in this thread
        finally:
            connections.close_all()
            done.set()

    try:
        with transaction.atomic():
            assert partitions.compact_partition(name)
            sender = threading.Thread(target=send_late_row)
            sender.start()
            deadline, waiting = time.monotonic() + 10, 0
            with connection.cursor() as cur:  # until the insert is seen waiting for the rewrite's lock
                while not waiting and time.monotonic() < deadline:
                    time.sleep(0.01)  # polling interval
                    cur.execute(
                        "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = to_regclass(%s)", [name]
                    )
                    waiting = cur.fetchone()[0]
            assert waiting and not done.is_set()
        assert done.wait(10)
        sender.join(10)
        with connection.cursor() as cur:
            cur.execute(f"SELECT count(*) FROM {name}")
            assert cur.fetchone()[0] == 21
        assert home(Segment.objects.get(camera=camera, start=late.start).pk) == name
        assert not partitions.compact_partition(name)  # once only
    finally:
        with connection.cursor() as cur:
            cur.execute(f"DROP TABLE IF EXISTS {name}")
