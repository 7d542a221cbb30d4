"""Retention benchmark: a month of index for 96 cameras, partitioned by day, swept a day at a time.

`make bench` runs `.venv/bin/python bench/retention.py` and writes bench/results/retention.json.

The database RETENTION_BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/birzai_vms_retention_bench) is dropped, created and migrated (so the
segment table is partitioned by day, docs/partitioning.md), filled by SQL (generate_series into each
day's partition, indexes built once per partition, VACUUM ANALYZE after), and dropped again at the
end (--keep-database keeps it). With --reuse-database a database kept by an earlier run is used again
instead: it must hold the bench's cameras and, for every day still present, exactly a full day of rows;
the days earlier runs swept are filled again (and their deletion records removed), the rows the
indexing thread added are removed, so the measurements start from what a fresh fill leaves.
DAYS + 2 × RUNS days × CAMERAS cameras of SEGMENT_SECONDS segments are generated, ending yesterday:
every sweep run finds one more day past the 30-day retention, so the table holds at least
CAMERAS × DAYS days of rows (about 62 M at 96 × 30) at every measurement. Real files
exist for one hour of each swept day and of a kept day of the first camera. Each measurement is taken
RUNS times (median and spread reported), on the machine as it is, then again with a CPU load beside it
(one busy process per core), with the load average recorded beside each run:

- sweep_one_day_s: `retention.services.enforce_retention` over all cameras (one whole day expired);
- indexing latency: a thread inserts one segment row per camera every SEGMENT_SECONDS into today's
  partition, as the capture indexer does; p95 of the inserts during the sweep;
- timeline_query: `retention.timeline.timeline` of one camera over 24 h, random cameras and hours of the
  kept month; range_lookup: the segments of a 1 h export (`segments_in_range`); p95 over PICKS each;
- the partitions each query's plan reads (EXPLAIN): pruning keeps them to the days asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import BenchError, ensure_postgres, machine, percentile, redact  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/birzai_vms_retention_bench"
PICKS = 40


def recreate_database(url: str, *, drop_only: bool = False) -> None:
    """Drop the bench database (and create it again): every run starts from an empty, migrated one."""
    import psycopg2
    from psycopg2 import sql

    ensure_postgres(url)
    parts = urlsplit(url)
    conn = psycopg2.connect(
        dbname="postgres",
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password or ""),
    )
    conn.autocommit = True
    name = sql.Identifier(unquote(parts.path.lstrip("/")))
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            if not drop_only:
                cur.execute(sql.SQL("CREATE DATABASE {}").format(name))
    finally:
        conn.close()


def setup_django(url: str, recordings_root: Path) -> None:
    os.environ.update(
        {
            "VMS_MODE": "test",
            "DATABASE_URL": url,
            "RECORDINGS_ROOT": str(recordings_root),
            "VAR_DIR": str(recordings_root.parent / "var"),
            "NODE_NAME": "bench-node",
            "DJANGO_SETTINGS_MODULE": "birzai_vms.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill_day(cameras: list[int], day: datetime, seconds: float) -> int:
    """One day of the synthetic index as its own partition: the rows go into a plain table in time order
    across cameras (as the indexer writes them: the physical order the planner and the sweep see), then
    it is attached, which builds its indexes in one pass each. Returns the rows written."""
    from django.db import connection

    from recordings import partitions

    name = partitions.partition_name(day.date())
    start, end = partitions.day_bounds(day.date())
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute(f"DROP TABLE IF EXISTS {name}")
        cur.execute(f"CREATE TABLE {name} (LIKE recordings_segment INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        cur.execute(
            f"""
            INSERT INTO {name}
                (id, camera_id, start, "end", bytes, sha256, path, node, codec, width, height, indexed_at, status,
                 clock_source, clock_correction_ms)
            SELECT nextval('recordings_segment_id_seq'), c, t, t + %(len)s * interval '1 second', 750000,
                   md5(c::text || t::text) || md5(t::text || c::text),
                   c || '/' || to_char(t, 'YYYY/MM/DD/HH24/YYYYMMDD"T"HH24MISS.US"Z.ts"'),
                   'bench-node', 'h264', 1280, 720, t + %(len)s * interval '1 second', 'ok', 'rtcp', 0
            FROM generate_series(0, %(n)s - 1) AS i,
                 LATERAL (SELECT %(start)s::timestamptz + i * %(len)s * interval '1 second' AS t) AS s,
                 LATERAL unnest(%(cameras)s::bigint[]) AS c
            ORDER BY t, c  -- without it PostgreSQL may produce the rows camera by camera (it did)
            """,
            {"cameras": cameras, "len": seconds, "n": int(86400 / seconds), "start": start},
        )
        rows = cur.rowcount
        # The bounds as a check constraint first: ATTACH then need not scan the rows to prove them.
        cur.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bounds CHECK (start >= %s AND start < %s)", [start, end])
        cur.execute(
            f"ALTER TABLE recordings_segment ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)", [start, end]
        )
        cur.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_bounds")
    compact_day(name)
    with connection.cursor() as cur:
        # What autovacuum does to a day of inserts (autovacuum_vacuum_insert_threshold): statistics, and
        # the visibility map that lets a query read its columns from a covering index alone.
        cur.execute(f"VACUUM (ANALYZE) {name}")
    return rows


COMPACTION_S: dict[str, float] = {}  # partition: seconds its CLUSTER took in this run


def compact_day(name: str) -> None:
    """What `maintain_segment_partitions` does once a day is closed: the partition rewritten in (camera,
    start) order (recordings.partitions.compact_partition), timed. The caller vacuums it afterwards."""
    from recordings import partitions

    began = time.perf_counter()
    if partitions.compact_partition(name):
        COMPACTION_S[name] = round(time.perf_counter() - began, 2)
        print(f"  {name} compacted in {COMPACTION_S[name]} s", flush=True)


def prepare_reused(cameras: list[int], base: datetime, total_days: int, seconds: float) -> list[str]:
    """Bring a database kept by an earlier run back to what a fresh fill leaves (see the module's doc);
    returns the partitions filled again. Stops with BenchError on a database that is not a bench's."""
    from django.db import connection, transaction

    from integrity.models import DeletionRecord
    from recordings import partitions
    from retention.models import DeletedRange

    per_day = len(cameras) * int(86400 / seconds)
    wanted = [(base + timedelta(days=n)).date() for n in range(total_days)]
    present = partitions.day_partitions()
    refilled = []
    with connection.cursor() as cur:
        for day, table in present.items():
            if day < wanted[0]:
                with transaction.atomic():
                    partitions.drop_partition(table)
            elif day > wanted[-1]:
                cur.execute(f"DELETE FROM {table}")  # the indexing thread's rows of earlier runs
        cur.execute(f"DELETE FROM {partitions.DEFAULT}")
        for day in wanted:
            if table := present.get(day):
                cur.execute(f"SELECT count(*) FROM {table}")
                if (count := cur.fetchone()[0]) != per_day:
                    raise BenchError(f"{table} holds {count:,} rows, not {per_day:,}: run without --reuse-database")
                compact_day(table)  # a day an earlier run filled before days were compacted
                if table in COMPACTION_S:
                    cur.execute(f"VACUUM (ANALYZE) {table}")
                continue
            start, end = partitions.day_bounds(day)
            DeletedRange.objects.filter(camera_id__in=cameras, start__gte=start, start__lt=end).delete()
            DeletionRecord.objects.filter(camera_id__in=cameras, day=day).delete()
            fill_day(cameras, start, seconds)
            refilled.append(partitions.partition_name(day))
            print(f"  {refilled[-1]} filled again", flush=True)
    return refilled


def sample_files(camera_id: int, starts: list[datetime], seconds: float) -> list[Path]:
    from recordings.capture import storage

    paths = []
    for start in starts:
        for n in range(int(3600 / seconds)):
            path = storage.absolute(storage.segment_relpath(camera_id, start + timedelta(seconds=seconds * n)))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"\x47" * 188 * 8)  # a few TS packets: only their presence matters here
            paths.append(path)
    return paths


class Indexing(threading.Thread):
    """Inserts a segment row per camera every `seconds`, like the capture indexer; times each insert."""

    def __init__(self, cameras: list[int], seconds: float, start: datetime) -> None:
        super().__init__(daemon=True)
        self.cameras, self.seconds, self.t = cameras, seconds, start
        self.latencies: list[float] = []
        self.spans: list[tuple[float, float]] = []  # (began, ended) of each insert, perf_counter
        self.retries = 0
        self.stop = threading.Event()

    def run(self) -> None:
        from django.db import OperationalError, connection

        from recordings.models import Segment

        interval = self.seconds / len(self.cameras)
        while not self.stop.is_set():
            for camera_id in self.cameras:
                if self.stop.is_set():
                    break
                row = Segment(
                    camera_id=camera_id,
                    start=self.t,
                    end=self.t + timedelta(seconds=self.seconds),
                    bytes=750000,
                    sha256="0" * 64,
                    path=f"{camera_id}/live/{self.t.timestamp():.6f}.ts",
                    node="bench-node",
                    codec="h264",
                    width=1280,
                    height=720,
                )
                began = time.perf_counter()
                while True:
                    try:
                        Segment.objects.bulk_create([row], ignore_conflicts=True)
                        break
                    except OperationalError:
                        # PostgreSQL is shared (other work may use up its connections): the capture
                        # indexer retries too, and the wait counts in this insert's latency.
                        self.retries += 1
                        connection.close()
                        time.sleep(0.2)
                ended = time.perf_counter()
                self.latencies.append(ended - began)
                self.spans.append((began, ended))
                time.sleep(interval)
            self.t += timedelta(seconds=self.seconds)
        connection.close()

    def overlapping(self, began: float, ended: float) -> list[float]:
        """Durations of the inserts that were running at any moment of [began, ended], an insert that was
        blocked all along and finished after it included (call after the thread has stopped)."""
        return [e - b for b, e in self.spans if b <= ended and e >= began]

    def measure(self, seconds: float) -> list[float]:
        mark = len(self.latencies)
        time.sleep(seconds)
        return self.latencies[mark:]


def timed(fn: object, runs: list[tuple]) -> list[float]:
    out = []
    for args in runs:
        began = time.perf_counter()
        fn(*args)
        out.append((time.perf_counter() - began) * 1000)
    return out


def spread(values: list[float], digits: int = 2) -> dict[str, object]:
    """Median, min and max of a measurement taken several times, and every value."""
    return {
        "median": round(statistics.median(values), digits),
        "min": round(min(values), digits),
        "max": round(max(values), digits),
        "runs": [round(v, digits) for v in values],
    }


def partitions_read(sql: str, params: object) -> list[str]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cur.fetchall())
    return sorted(set(re.findall(r"\b(recordings_segment_(?:p\d{8}|default))\b", plan)))


class CpuLoad:
    """One busy process per core beside the benchmark (through birzai_vms.processes), stopped after."""

    def __init__(self, processes: int, workdir: Path) -> None:
        from birzai_vms.processes import ManagedProcess

        self.procs = [
            ManagedProcess(
                f"cpu-load-{n}", [sys.executable, "-c", "while True: pass"], log_path=workdir / f"load{n}.log"
            )
            for n in range(processes)
        ]

    def __enter__(self) -> CpuLoad:
        for proc in self.procs:
            proc.start()
        time.sleep(20)  # let the 1-minute load average show it
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.stop(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cameras", type=int, default=96)
    parser.add_argument("--days", type=int, default=30, help="days kept at every measurement")
    parser.add_argument("--runs", type=int, default=3, help="times each measurement is taken, per load")
    parser.add_argument("--segment-seconds", type=float, default=4.0)
    parser.add_argument("--keep-database", action="store_true", help="do not drop the database at the end")
    parser.add_argument(
        "--reuse-database",
        action="store_true",
        help="use the filled database an earlier run kept (checked, swept days filled again); keep it after",
    )
    parser.add_argument(
        "--fill-only",
        action="store_true",
        help="fill (or check and refill), seal, keep the database; measure nothing",
    )
    parser.add_argument("--out", default=str(ROOT / "bench/results/retention.json"))
    args = parser.parse_args()
    url = os.environ.get("RETENTION_BENCH_DATABASE_URL", DEFAULT_URL)
    if args.reuse_database:
        ensure_postgres(url)
    else:
        recreate_database(url)
    workdir = Path(tempfile.mkdtemp(prefix="retention-bench-"))
    setup_django(url, workdir / "recordings")

    from django.conf import settings
    from django.db import connection

    from cameras.models import Camera
    from eldership.models import Eldership
    from integrity.models import DailyDigest
    from integrity.services import seal_day
    from recordings import partitions
    from recordings.models import Segment
    from retention import services
    from retention.timeline import _SPANS_SQL, segments_in_range, timeline

    sweeps = 2 * args.runs
    total_days = args.days + sweeps
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    base = today - timedelta(days=total_days)
    eldership, _ = Eldership.objects.get_or_create(
        code="bench", defaults={"name": "Bench", "centre_latitude": "56.2", "centre_longitude": "24.75"}
    )
    per_day = args.cameras * int(86400 / args.segment_seconds)
    began = time.perf_counter()
    refilled: list[str] | None = None
    if args.reuse_database:
        cameras = list(Camera.objects.filter(eldership=eldership).order_by("pk").values_list("pk", flat=True))
        if len(cameras) != args.cameras:
            raise BenchError(f"the database has {len(cameras)} bench cameras, not {args.cameras}")
        print(f"reusing {redact(url)}: checking {total_days} days of {per_day:,} rows", flush=True)
        refilled = prepare_reused(cameras, base, total_days, args.segment_seconds)
    else:
        cameras = [
            Camera.objects.create(
                eldership=eldership, name=f"Bench {n}", rtsp_url=f"rtsp://127.0.0.1:{9000 + n}/live"
            ).pk
            for n in range(args.cameras)
        ]
        print(
            f"filling {redact(url)}: {args.cameras} cameras × {total_days} days of {args.segment_seconds} s "
            f"segments ({per_day * total_days:,} rows), {sweeps} days sealed, then {sweeps} sweeps with queries: "
            f"roughly {(total_days * 30 + sweeps * 30 + sweeps * 60) // 60 + 1} min on 2 busy cores",
            flush=True,
        )
        rows = 0
        for n in range(total_days):
            rows += fill_day(cameras, base + timedelta(days=n), args.segment_seconds)
            print(f"  day {n + 1}/{total_days}: {rows:,} rows, {time.perf_counter() - began:.0f} s", flush=True)
    # Every day the queries pick from is compacted (the bench's days are all closed).
    kept_days = [(base + timedelta(days=n)).date() for n in range(sweeps, total_days)]
    present = partitions.day_partitions()
    compacted_days = sum(1 for day in kept_days if day in present and partitions.is_compacted(present[day]))
    if compacted_days != len(kept_days):
        raise BenchError(f"only {compacted_days} of {len(kept_days)} kept days are compacted")
    with connection.cursor() as cur:
        cur.execute("ANALYZE recordings_segment")
        cur.execute("SELECT count(*) FROM recordings_segment")
        rows = cur.fetchone()[0]
    fill_s = time.perf_counter() - began
    print(f"{rows:,} rows in {fill_s:.0f} s", flush=True)
    # The days to be swept are sealed, as every day is long before it expires (integrity/services.py):
    # a whole sealed camera-day is then recorded as deleted by one record standing for its seal.
    began = time.perf_counter()
    for k in range(sweeps):
        day = (base + timedelta(days=k)).date()
        sealed = set(DailyDigest.objects.filter(day=day).values_list("camera_id", flat=True))  # a reused database's
        for camera_id in cameras:
            if camera_id not in sealed:
                seal_day(camera_id=camera_id, day=day)
        print(f"  sealed day {k + 1}/{sweeps}: {time.perf_counter() - began:.0f} s", flush=True)
    seal_s = time.perf_counter() - began
    if args.fill_only:
        connection.close()
        print(f"filled and sealed; {redact(url)} kept for --reuse-database", flush=True)
        return

    runs: dict[str, list[dict]] = {"quiet": [], "under_load": []}
    explained: dict[str, list[str]] = {}
    for phase in ("quiet", "under_load"):
        load = CpuLoad(len(os.sched_getaffinity(0)), workdir) if phase == "under_load" else None
        if load:
            load.__enter__()
        try:
            for _ in range(args.runs):
                k = len(runs["quiet"]) + len(runs["under_load"])
                expired = base + timedelta(days=k)
                now = expired + timedelta(days=1 + settings.MIN_RETENTION_DAYS)
                with connection.cursor() as cur:
                    cur.execute("SELECT count(*) FROM recordings_segment")
                    rows_now = cur.fetchone()[0]
                rng = random.Random(k)
                picks = [
                    (
                        rng.choice(cameras),
                        now - timedelta(days=args.days) + timedelta(hours=rng.randint(1, 24 * (args.days - 2))),
                    )
                    for _ in range(PICKS)
                ]
                load_before = os.getloadavg()[0]
                timeline_ms = timed(lambda c, t: timeline(camera_id=c, start=t, end=t + timedelta(hours=24)), picks)
                range_ms = timed(lambda c, t: segments_in_range(c, t, t + timedelta(hours=1)), picks)
                if not explained:
                    c, t = picks[0]
                    params = {"tolerance": timedelta(seconds=0.25), "camera": c, "earliest": t - timedelta(minutes=5)}
                    params.update(start=t, end=t + timedelta(hours=24))
                    explained["timeline_24h"] = partitions_read(_SPANS_SQL, params)
                    qs = Segment.objects.filter(camera_id=c).overlapping(t, t + timedelta(hours=1)).order_by("start")
                    explained["range_1h"] = partitions_read(*qs.query.sql_with_params())
                files = sample_files(cameras[0], [expired, now - timedelta(days=2)], args.segment_seconds)
                indexing = Indexing(cameras, args.segment_seconds, datetime.now(UTC) + timedelta(seconds=2 + k * 0.01))
                indexing.start()
                indexing.measure(4)
                load_at_sweep = os.getloadavg()[0]
                began = time.perf_counter()
                done = services.enforce_retention(now=now)
                sweep_s = time.perf_counter() - began  # began: perf_counter, as the insert spans
                ended = time.perf_counter()
                indexing.stop.set()
                indexing.join(timeout=60)
                during = indexing.overlapping(began, ended)
                run = {
                    "rows_before": rows_now,
                    "load_average_1m_at_queries": round(load_before, 2),
                    "load_average_1m_at_sweep": round(load_at_sweep, 2),
                    "sweep_one_day_s": round(sweep_s, 2),
                    "sweep_rows_deleted": sum(b.count for b in done.values()),
                    "sweep_sample_files_deleted": not any(p.exists() for p in files[: len(files) // 2]),
                    "sweep_sample_files_kept": all(p.exists() for p in files[len(files) // 2 :]),
                    "indexing_latency_during_sweep_p95_s": round(percentile(during, 95), 4) if during else None,
                    "indexing_latency_during_sweep_max_s": round(max(during), 4) if during else None,
                    "indexing_inserts_during_sweep": len(during),
                    "indexing_connection_retries": indexing.retries,
                    "timeline_query_p50_ms": round(percentile(timeline_ms, 50), 1),
                    "timeline_query_p95_ms": round(percentile(timeline_ms, 95), 1),
                    "range_lookup_p50_ms": round(percentile(range_ms, 50), 2),
                    "range_lookup_p95_ms": round(percentile(range_ms, 95), 2),
                }
                runs[phase].append(run)
                print(f"{phase} run {len(runs[phase])}/{args.runs}: {json.dumps(run)}", flush=True)
        finally:
            if load:
                load.__exit__()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT sum(pg_relation_size(c.oid))::bigint, sum(pg_indexes_size(c.oid))::bigint FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'recordings_segment'::regclass"
        )
        table_bytes, index_bytes = cur.fetchone()
    camera_days = args.cameras * (total_days - sweeps)
    connection.close()
    if not (args.keep_database or args.reuse_database):
        recreate_database(url, drop_only=True)

    def of(phase: str, key: str, digits: int = 2) -> dict[str, object]:
        return spread([r[key] for r in runs[phase] if r[key] is not None], digits)

    quiet, loaded = "quiet", "under_load"
    result = {
        "benchmark": "retention",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": redact(url),
        "cameras": args.cameras,
        "days_kept": args.days,
        "days_generated": total_days,
        "segment_seconds": args.segment_seconds,
        "partitioning": "range on start, one partition per UTC day, plus a default partition (docs/partitioning.md)",
        "physical_order": (
            "filled time-major across cameras, as the indexer inserts; then each day's partition rewritten in "
            "(camera, start) order by CLUSTER and vacuumed, as maintain_segment_partitions does once a day is "
            "closed (docs/partitioning.md)"
        ),
        "days_compacted_at_measurement": compacted_days,
        "days_at_measurement": len(kept_days),
        "compaction_one_day_s": spread(list(COMPACTION_S.values())) if COMPACTION_S else None,
        "days_compacted_in_this_run": len(COMPACTION_S),
        "rows": rows,
        "database_reused": refilled is not None,
        "partitions_filled_again": refilled,
        "fill_s": round(fill_s, 1),
        "seal_swept_days_s": round(seal_s, 1),
        "runs_per_measurement": args.runs,
        "statistics": (
            "VACUUM ANALYZE of each day after filling (as autovacuum does after inserts); "
            "each figure is the median of the runs, with min, max and every run"
        ),
        "load": (
            "quiet: the machine as it is (2 cores shared with other work: see each run's load average); "
            "under_load: plus one busy-looping process per core"
        ),
        "sweep_one_day_s": of(quiet, "sweep_one_day_s")["median"],
        "sweep_one_day_s_under_load": of(loaded, "sweep_one_day_s")["median"],
        "timeline_query_p95_ms": of(quiet, "timeline_query_p95_ms", 1)["median"],
        "timeline_query_p95_ms_under_load": of(loaded, "timeline_query_p95_ms", 1)["median"],
        "range_lookup_p95_ms": of(quiet, "range_lookup_p95_ms")["median"],
        "range_lookup_p95_ms_under_load": of(loaded, "range_lookup_p95_ms")["median"],
        "indexing_latency_during_sweep_p95_s": of(quiet, "indexing_latency_during_sweep_p95_s", 4)["median"],
        "indexing_latency_during_sweep_p95_s_under_load": of(loaded, "indexing_latency_during_sweep_p95_s", 4)[
            "median"
        ],
        "indexing_latency_during_sweep_max_s": max(
            (r["indexing_latency_during_sweep_max_s"] or 0 for r in runs[quiet] + runs[loaded]), default=None
        ),
        "spread": {
            phase: {
                key: of(phase, key, 4 if key.startswith("indexing") else 2)
                for key in (
                    "sweep_one_day_s",
                    "timeline_query_p95_ms",
                    "range_lookup_p95_ms",
                    "indexing_latency_during_sweep_p95_s",
                    "indexing_latency_during_sweep_max_s",
                    "load_average_1m_at_sweep",
                )
            }
            for phase in runs
        },
        "runs": runs,
        "partitions_read": explained,
        "sweep_batch_size": settings.RETENTION_BATCH_SIZE,
        "table_bytes": table_bytes,
        "indexes_bytes": index_bytes,
        "table_and_index_bytes_per_camera_day": round((table_bytes + index_bytes) / camera_days),
        "goals": {
            "sweep_one_day_s": 10,
            "indexing_latency_during_sweep_p95_s": 2,
            "timeline_query_p95_ms": 50,
            "range_lookup_p95_ms": 20,
        },
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=float) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in {"machine", "runs", "spread"}}, indent=2))


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"bench/retention.py: {exc}")
