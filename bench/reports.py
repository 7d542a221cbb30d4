"""Uptime report benchmark: 24 cameras × 30 days of index in PostgreSQL, the report page and its PDF timed.

`make bench` runs `.venv/bin/python bench/reports.py` and writes bench/results/reports.json.

The database REPORTS_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/birzai_vms_reports_bench;
created when missing) is migrated and filled as bench/retention.py fills it (generate_series, 4 s segments,
time-major across cameras), for the 30 Vilnius days before today, with gaps and incidents besides; ANALYZE
follows. Measured, each three times (median, spread, and the load average before each run):

- page_cold_s: GET /reports/uptime/ for the 30 days with no recorded hours stored (the first report after
  the fill, or after retention removed a day, computes them from the segment rows);
- page_s: the same page again (the stored hours are read; only the unsettled last hour is computed);
- pdf_s: GET /reports/uptime/pdf/ for the same 30 days (WeasyPrint), stored hours in place.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import BenchError, ensure_postgres, git_commit, machine, redact  # noqa: E402
from bench.retention import fill, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/birzai_vms_reports_bench"
ELDERSHIPS = 4
GOALS = {"page_s": 1.0, "pdf_s": 5.0}


def _git_head() -> str | None:
    """HEAD where .git is a file (a git worktree), which bench.common.git_commit does not follow."""
    import subprocess

    done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip() or None


def runs(fn: object, times: int, before: object = None) -> dict[str, object]:
    """Median, spread and every run of fn(), with the 1-minute load average before each."""
    seconds, loads = [], []
    for _ in range(times):
        if before:
            before()
        loads.append(round(os.getloadavg()[0], 2))
        began = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - began)
    return {
        "median_s": round(statistics.median(seconds), 3),
        "spread_s": round(max(seconds) - min(seconds), 3),
        "runs_s": [round(s, 3) for s in seconds],
        "load_average_1m": loads,
    }


def add_gaps_and_incidents(cameras: list[int], start: datetime, days: int) -> tuple[int, int]:
    """Three gaps a camera-day (causes in turn) and one incident, half of them acknowledged."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            """
            INSERT INTO recordings_gap (camera_id, start, "end", cause, detail)
            SELECT c, t, t + (30 + (i %% 7) * 40) * interval '1 second',
                   (ARRAY['camera_unreachable', 'stream_stalled', 'recorder_restarted'])[1 + i %% 3], ''
            FROM unnest(%(cameras)s::bigint[]) AS c, generate_series(0, %(n)s - 1) AS i,
                 LATERAL (SELECT %(start)s::timestamptz + i * interval '8 hours' + interval '2 hours 7 seconds' AS t) s
            """,
            {"cameras": cameras, "n": days * 3, "start": start},
        )
        cur.execute(
            """
            INSERT INTO incidents_incident (camera_id, kind, started_at, ended_at, acknowledged_at, note, flaps,
                                            notifications, detail, updated_at)
            SELECT c, 'offline', t, t + interval '5 minutes',
                   CASE WHEN i %% 2 = 0 THEN t + (60 + i) * interval '1 second' END, '', 0, 1, '', now()
            FROM unnest(%(cameras)s::bigint[]) AS c, generate_series(0, %(n)s - 1) AS i,
                 LATERAL (SELECT %(start)s::timestamptz + i * interval '1 day' + interval '10 hours' AS t) s
            """,
            {"cameras": cameras, "n": days, "start": start},
        )
        cur.execute("SELECT (SELECT count(*) FROM recordings_gap), (SELECT count(*) FROM incidents_incident)")
        gaps, incidents = cur.fetchone()
        cur.execute("ANALYZE")
    return gaps, incidents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cameras", type=int, default=24)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--segment-seconds", type=float, default=4.0)
    parser.add_argument("--times", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench/results/reports.json"))
    args = parser.parse_args()
    url = os.environ.get("REPORTS_BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_postgres(url)
    workdir = Path(tempfile.mkdtemp(prefix="reports-bench-"))
    setup_django(url, workdir / "recordings")

    from django.db import connection
    from django.test import Client

    from accounts.roles import OPERATOR
    from accounts.services import assign_role
    from birzai_vms import localtime
    from cameras.models import Camera
    from eldership.models import Eldership

    today = localtime.local(datetime.now(UTC)).date()
    first, last = today - timedelta(days=args.days), today - timedelta(days=1)
    base = localtime.day_bounds(first)[0]
    with connection.cursor() as cur:
        # Not Camera.objects.delete(): the ORM would collect millions of segment rows first.
        cur.execute(
            "TRUNCATE cameras_camera, recordings_segment, recordings_gap, incidents_incident, "
            "reports_coveragehour CASCADE"
        )
    elderships = [
        Eldership.objects.update_or_create(
            code=f"bench-{n}", defaults={"name": f"Bench {n}", "centre_latitude": "56.2", "centre_longitude": "24.75"}
        )[0]
        for n in range(ELDERSHIPS)
    ]
    cameras = [
        Camera.objects.create(
            eldership=elderships[n % ELDERSHIPS], name=f"Bench {n}", rtsp_url=f"rtsp://127.0.0.1:{9000 + n}/live"
        ).pk
        for n in range(args.cameras)
    ]
    Camera.objects.update(created_at=base - timedelta(days=1))
    print(f"filling {redact(url)}: {args.cameras} cameras × {args.days} days of {args.segment_seconds} s segments")
    began = time.perf_counter()
    rows = fill(cameras, args.days, args.segment_seconds, base)
    gaps, incidents = add_gaps_and_incidents(cameras, base, args.days)
    fill_s = time.perf_counter() - began
    print(f"{rows} segment rows, {gaps} gaps, {incidents} incidents in {fill_s:.0f} s")

    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-reports")
    assign_role(user=user, role=OPERATOR, elderships=elderships)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    query = {"period": "range", "from": first.isoformat(), "to": last.isoformat()}

    def get(path: str, content_type: str) -> None:
        response = client.get(path, query)
        if response.status_code != 200 or not response["Content-Type"].startswith(content_type):
            raise BenchError(f"{path} answered {response.status_code}: {response.content[:300]!r}")

    def forget_hours() -> None:
        with connection.cursor() as cur:
            cur.execute("TRUNCATE reports_coveragehour")

    cold = runs(lambda: get("/reports/uptime/", "text/html"), args.times, before=forget_hours)
    page = runs(lambda: get("/reports/uptime/", "text/html"), args.times)
    pdf = runs(lambda: get("/reports/uptime/pdf/", "application/pdf"), args.times)

    result = {
        "benchmark": "reports",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit() or _git_head(),
        "machine": machine(),
        "database": redact(url),
        "cameras": args.cameras,
        "elderships": ELDERSHIPS,
        "days": args.days,
        "period": [first.isoformat(), last.isoformat()],
        "segment_seconds": args.segment_seconds,
        "segment_rows": rows,
        "gap_rows": gaps,
        "incident_rows": incidents,
        "fill_s": round(fill_s, 1),
        "page_s": page["median_s"],
        "pdf_s": pdf["median_s"],
        "page_cold_s": cold["median_s"],
        "page": page,
        "pdf": pdf,
        "page_cold": cold,
        "measured": "GET through Django's test client (middleware, view, template; no network)",
        "goals": GOALS,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=2))


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"bench/reports.py: {exc}")
