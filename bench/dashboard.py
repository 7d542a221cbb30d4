"""Dashboard benchmark: status push to 200 websocket clients, playlist generation, live-view latency.

`make bench` runs `.venv/bin/python bench/dashboard.py` and writes bench/results/dashboard.json.

Uses DASHBOARD_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/birzai_vms_dashboard_bench,
created and migrated when missing) and DASHBOARD_BENCH_REDIS_URL (default redis://127.0.0.1:6379/12,
flushed). Measured:

- status push: a Daphne serves /ws/status/ to CLIENTS websocket clients (asyncio, in this process, all
  logged in as one Operator); a camera's status row is changed and `cameras.events.send_status` called;
  the time until the event has reached each client (p50/p95 over all clients and rounds);
- playlist generation: the VOD playlist for 1 h and 24 h of synthetic index rows (4 s segments, ANALYZEd
  after inserting): the index query and the playlist text (p50/p95), and the whole request through
  Django's test client (p95); each measured --runs times (default 3): median, min and max, load average;
- live latency: with Playwright and Debian's chromium available (requirements-dev), a simulated camera is
  recorded by a real capture worker and shown on the live page; latency = the browser's clock minus the
  wall-clock time (EXT-X-PROGRAM-DATE-TIME) of the picture on screen, which the browser test checks
  against the simulator's burned-in clock (within 1 s). Null when Playwright is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
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

from bench.common import ensure_postgres, flush_redis, machine, percentile  # noqa: E402

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/birzai_vms_dashboard_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
PLAYLIST_KEYS = (
    "playlist_1h_p50_ms",
    "playlist_1h_p95_ms",
    "playlist_24h_p50_ms",
    "playlist_24h_p95_ms",
    "playlist_1h_http_p95_ms",
    "playlist_24h_http_p95_ms",
)


def setup_django(db_url: str, redis_url: str, recordings: Path) -> None:
    os.environ.update(
        VMS_MODE="test", DATABASE_URL=db_url, REDIS_URL=redis_url, RECORDINGS_ROOT=str(recordings), LOG_LEVEL="WARNING"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "birzai_vms.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fixtures() -> tuple[object, list[object]]:
    from django.contrib.auth import get_user_model

    from accounts.roles import OPERATOR
    from accounts.services import assign_role
    from cameras.models import Camera
    from eldership.models import Eldership

    Camera.objects.all().delete()
    eldership, _ = Eldership.objects.get_or_create(
        code="bench", defaults={"name": "Bench", "centre_latitude": 56.2, "centre_longitude": 24.75}
    )
    cameras = [
        Camera.objects.create(eldership=eldership, name=f"Bench {n}", rtsp_url=f"rtsp://127.0.0.1:{30000 + n}/live")
        for n in range(24)
    ]
    get_user_model().objects.filter(username="bench-operator").delete()
    user = get_user_model().objects.create_user("bench-operator", password="Bench-Operator-2026")
    assign_role(user=user, role=OPERATOR, elderships=[eldership])
    return user, cameras


def session_id(user: object) -> str:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def daphne_argv(port: int) -> list[str]:
    """The Procfile's web line (birzai_vms/processes.py) on the benchmark's port."""
    from birzai_vms.processes import command

    return command("web", env={"PORT": str(port)}, python=sys.executable)


def worker_argvs(tmp: Path) -> tuple[list[str], list[str]]:
    """The Procfile's capture and default workers, small, with beat inside the dispatcher (-B)."""
    from birzai_vms.processes import command

    capture = command("capture-process", env={"CAPTURE_NAME": "cap", "CAPTURE_CONCURRENCY": "4"}, python=sys.executable)
    dispatcher = command(
        "worker",
        env={"WORKER_NAME": "disp", "WORKER_CONCURRENCY": "2"},
        python=sys.executable,
        extra=["-B", "-s", str(tmp / "beat")],
    )
    return capture, dispatcher


def start_daphne(env: dict[str, str], log: Path) -> tuple[object, int]:
    from birzai_vms.processes import ManagedProcess
    from simulator.fleet import free_port

    port = free_port()
    argv = daphne_argv(port)
    process = ManagedProcess("daphne", argv, env=env, cwd=ROOT, log_path=log).start()
    process.wait_for_line(r"Listening on TCP address", timeout=30)
    return process, port


async def _ws_open(port: int, sessionid: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A minimal RFC 6455 client (daphne's autobahn is bound to Twisted in this process): handshake only."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws/status/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:{port}\r\n"
            f"Cookie: sessionid={sessionid}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(f"websocket refused: {head[:80]!r}")
    return reader, writer


async def _ws_frames(reader: asyncio.StreamReader, on_text: object) -> None:
    """Server frames are unmasked; the status messages are small single text frames."""
    while True:
        first, second = await reader.readexactly(2)
        size = second & 0x7F
        if size == 126:
            size = int.from_bytes(await reader.readexactly(2), "big")
        elif size == 127:
            size = int.from_bytes(await reader.readexactly(8), "big")
        data = await reader.readexactly(size)
        if first & 0x0F == 1:
            on_text(data)
        elif first & 0x0F == 8:
            return


async def push_latencies(port: int, sessionid: str, cameras: list[object], clients: int, rounds: int) -> list[float]:
    from asgiref.sync import sync_to_async
    from django.utils import timezone

    from cameras.events import send_status
    from cameras.models import CameraStatus

    arrivals: dict[str, list[float]] = {}

    def on_text(data: bytes) -> None:
        message = json.loads(data)
        if message["type"] == "status":
            arrivals.setdefault(message["status"]["reason"], []).append(time.time())

    connections = [await _ws_open(port, sessionid) for _ in range(clients)]
    readers = [asyncio.create_task(_ws_frames(reader, on_text)) for reader, _ in connections]
    await asyncio.sleep(2.0)  # every client has its snapshot and is in the group

    latencies: list[float] = []
    for n in range(rounds):
        camera = cameras[n % len(cameras)]
        marker = f"bench-{n}"
        await sync_to_async(CameraStatus.objects.update_or_create)(
            camera=camera, defaults={"state": "error", "reason": marker, "heartbeat_at": timezone.now()}
        )
        sent = time.time()
        send_status(camera.pk)
        deadline = time.monotonic() + 10
        while len(arrivals.get(marker, [])) < clients and time.monotonic() < deadline:
            await asyncio.sleep(0.005)
        got = arrivals.get(marker, [])
        if len(got) < clients:
            print(f"round {n}: only {len(got)}/{clients} clients got the event", file=sys.stderr)
        latencies += [t - sent for t in got]
        await asyncio.sleep(0.3)
    for task in readers:
        task.cancel()
    for _, writer in connections:
        writer.close()
    return latencies


def playlist_timings(user: object, camera: object, hours: int, repeats: int) -> tuple[list[float], list[float]]:
    """(generation: index query + playlist text, as the view does; whole HTTP request through Django's
    middleware, with the session, OTP and axes checks) in milliseconds."""
    from django.db import connection
    from django.test import Client

    from playback import playlists, services
    from playback.views import _segment_uri
    from recordings import partitions
    from recordings.models import Segment

    Segment.objects.filter(camera=camera).delete()
    start = datetime(2026, 6, 13, 0, 0, tzinfo=UTC)
    # The days' partitions of the index exist, as they would for recorded days (docs/partitioning.md).
    for day in (start - timedelta(days=1), start, start + timedelta(days=1)):
        partitions.create_day_partition(day.date())
    step = timedelta(seconds=4)
    rows = [
        Segment(
            camera=camera, start=start + i * step, end=start + (i + 1) * step, bytes=750_000, sha256="0" * 64,
            path=f"{camera.pk}/bench/{i}.ts", node="bench", codec="h264", width=1280, height=720,
        )
        for i in range(hours * 900)
    ]  # fmt: skip
    Segment.objects.bulk_create(rows, batch_size=5000)
    # Planner statistics after filling: without them the first figures measured a plan made for an
    # empty table (committed 4.2 ms p95, re-measured 45 ms elsewhere).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE recordings_segment")
    end = start + timedelta(hours=hours)
    generation = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        text = playlists.vod_playlist(services.segment_rows(camera=camera, start=start, end=end), uri=_segment_uri)
        generation.append((time.perf_counter() - t0) * 1000)
        assert text.count("#EXTINF") == hours * 900
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    params = {"start": start.isoformat(), "end": end.isoformat()}
    url = f"/playback/cameras/{camera.pk}/vod.m3u8"
    http = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        response = client.get(url, params)
        http.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200 and response.content.count(b"#EXTINF") == hours * 900
    return generation, http


def live_latency(env: dict[str, str], port: int, sessionid: str, tmp: Path, seconds: float) -> tuple[float | None, str]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None, "Playwright is not installed (requirements-dev.txt); live latency not measured"
    from birzai_vms.processes import ManagedProcess
    from cameras.models import Camera
    from simulator.fleet import SimulatedCamera, free_port

    source = SimulatedCamera("Bench live", port=free_port())
    source.start()
    camera = Camera.objects.order_by("pk").last()
    Camera.objects.filter(pk=camera.pk).update(rtsp_url=source.url)
    worker_env = {**env, "CELERY_BEAT_SCHEDULER": "celery.beat:PersistentScheduler"}
    capture, dispatcher = worker_argvs(tmp)
    workers = [
        ManagedProcess("capture", capture, env=worker_env, cwd=ROOT, log_path=tmp / "capture.log"),
        ManagedProcess("dispatcher", dispatcher, env=worker_env, cwd=ROOT, log_path=tmp / "disp.log"),
    ]
    try:
        Camera.objects.exclude(pk=camera.pk).update(enabled=False)
        for w in workers:
            w.start()
        from recordings.models import Segment

        deadline = time.monotonic() + 60
        while Segment.objects.filter(camera=camera).count() < 3:
            if time.monotonic() > deadline:
                return None, "the simulated camera was not recorded within 60 s"
            time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            context = browser.new_context()
            context.add_cookies([{"name": "sessionid", "value": sessionid, "url": f"http://127.0.0.1:{port}"}])
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}/dashboard/cameras/{camera.pk}/live/")
            page.wait_for_function("() => document.querySelector('figure.live').dataset.latencyS", timeout=30_000)
            samples, end = [], time.monotonic() + seconds
            while time.monotonic() < end:
                samples.append(float(page.get_attribute("figure.live", "data-latency-s")))
                time.sleep(0.5)
            browser.close()
        return round(statistics.median(samples), 2), (
            f"median over {seconds:.0f} s of (browser clock - wall-clock time of the picture on screen); "
            f"min {min(samples):.2f}, max {max(samples):.2f}; 4 s segments, blocking playlist reload, "
            "hls.js liveSyncDuration=1 s"
        )
    finally:
        for w in reversed(workers):
            w.stop(timeout=10)
        source.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--runs", type=int, default=3, help="times each playlist figure is measured")
    parser.add_argument("--live-seconds", type=float, default=30.0)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "dashboard.json"))
    args = parser.parse_args()

    db_url = os.environ.get("DASHBOARD_BENCH_DATABASE_URL", DEFAULT_DB)
    redis_url = os.environ.get("DASHBOARD_BENCH_REDIS_URL", DEFAULT_REDIS)
    ensure_postgres(db_url)
    flush_redis(redis_url)
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as tmpdir:
        tmp = Path(tmpdir)
        recordings = tmp / "recordings"
        recordings.mkdir()
        setup_django(db_url, redis_url, recordings)
        user, cameras = fixtures()
        sid = session_id(user)
        env = {
            "VMS_MODE": "test", "DATABASE_URL": db_url, "REDIS_URL": redis_url, "RECORDINGS_ROOT": str(recordings),
            "DJANGO_SETTINGS_MODULE": "birzai_vms.settings", "PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO",
        }  # fmt: skip
        daphne, port = start_daphne(env, tmp / "daphne.log")
        try:
            pushes = asyncio.run(push_latencies(port, sid, cameras, args.clients, args.rounds))
            # Each playlist figure RUNS times over fresh rows (median and spread), the load average beside it.
            playlist_runs = []
            for _ in range(args.runs):
                load = os.getloadavg()[0]
                one_hour, one_hour_http = playlist_timings(user, cameras[0], 1, args.repeats)
                one_day, one_day_http = playlist_timings(user, cameras[1], 24, max(5, args.repeats // 3))
                playlist_runs.append(
                    {
                        "load_average_1m": round(load, 2),
                        "playlist_1h_p50_ms": round(percentile(one_hour, 50), 2),
                        "playlist_1h_p95_ms": round(percentile(one_hour, 95), 2),
                        "playlist_24h_p50_ms": round(percentile(one_day, 50), 2),
                        "playlist_24h_p95_ms": round(percentile(one_day, 95), 2),
                        "playlist_1h_http_p95_ms": round(percentile(one_hour_http, 95), 2),
                        "playlist_24h_http_p95_ms": round(percentile(one_day_http, 95), 2),
                    }
                )
            latency, latency_note = live_latency(env, port, sid, tmp, args.live_seconds)
        finally:
            daphne.stop(timeout=10)
            if os.environ.get("DASHBOARD_BENCH_KEEP_LOG"):
                Path(os.environ["DASHBOARD_BENCH_KEEP_LOG"]).write_text(daphne.output())

    expected = args.clients * args.rounds
    result = {
        "clients": args.clients,
        "rounds": args.rounds,
        "status_push_delivered": f"{len(pushes)}/{expected}",
        "status_push_p50_s": round(percentile(pushes, 50), 4) if pushes else None,
        "status_push_p95_s": round(percentile(pushes, 95), 4) if pushes else None,
        "status_push_max_s": round(max(pushes), 4) if pushes else None,
        **{key: statistics.median(run[key] for run in playlist_runs) for key in PLAYLIST_KEYS},
        "playlist_spread": {
            key: {"min": min(run[key] for run in playlist_runs), "max": max(run[key] for run in playlist_runs)}
            for key in PLAYLIST_KEYS
        },
        "playlist_runs": playlist_runs,
        "playlist_note": "playlist_*: index query + playlist text (what the view does); *_http_*: the whole request "
        "through Django's test client and middleware (session saved on every request, OTP, axes, CSP); each the "
        "median of --runs runs over freshly inserted and ANALYZEd rows (playlist_spread: min and max)",
        "live_latency_s": latency,
        "live_latency_note": latency_note,
        "goals": {"status_push_p95_s": 1.0, "playlist_1h_p95_ms": 20, "live_latency_s": 5.0},
        "machine": machine(),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
