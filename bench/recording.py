"""Recording benchmark: our Celery capture worker against bare ffmpeg, on the same 24 simulated cameras.

`make bench` runs `.venv/bin/python bench/recording.py` and writes bench/results/recording.json.

One shared-encoder RTSP simulator serves N cameras (its own CPU is not counted). Phase 1 records them
as production does (DEBUG off): a real capture worker (`celery worker -Q capture -P threads`) and a dispatcher
worker with beat, against PostgreSQL (DATABASE_URL) and Redis (BENCH_REDIS_URL, flushed at start and
end). Once every camera reports `recording` and has a first segment, the worker's CPU time
(utime+stime from /proc) and RSS are measured for --seconds; then index latency (indexed_at minus the
file's mtime, for segments closed in the window) and gaps (Gap rows and holes > 0.2 s in the window)
are read from the index. Beside it, in the same window, one bare `ffmpeg -f segment` process per camera
stream-copies the same URLs and is measured the same way: measured one after the other, the two saw
different loads from the rest of a shared machine and their ratio moved by a third from run to run
(1.14 to 1.60 on one commit). The machine's other load in the window is reported too. Every child is
a ManagedProcess, stopped at the end and on failure or Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402  (after the path fix: run as a script)
    BenchError,
    add_run_arguments,
    busy_seconds,
    child_pids,
    cpu_seconds,
    git_commit,
    machine,
    percentile,
    rss_bytes,
    run_bench,
    say,
    wait_for,
    write_result,
)
from birzai_vms.processes import ManagedProcess, command  # noqa: E402
from simulator.fleet import SharedEncoderCameras, free_port_range  # noqa: E402

OUTPUT = ROOT / "bench" / "results" / "recording.json"
ELDERSHIP_CODE = "bench"
HOLE_S = 0.2
MIXED_KINDS = {"h265": 2, "mjpeg": 2}  # added to the H.264 cameras in phase 3
MB = 1024 * 1024
DESIGN = (
    "one Celery capture worker process on a threads pool; one PyAV stream-copy session per camera in its own "
    "thread; one indexer thread"
)


def capture_argv() -> list[str]:
    """One capture process (birzai_vms/processes.py `capture-process`) with the benchmark's name and 32 threads."""
    return command(
        "capture-process", env={"CAPTURE_NAME": "bench-capture", "CAPTURE_CONCURRENCY": "32"}, python=sys.executable
    )


def dispatcher_argv(schedule: Path) -> list[str]:
    """The Procfile's default-queue worker with beat inside (-B), so the benchmark needs no beat process."""
    return command(
        "worker",
        env={"WORKER_NAME": "bench-dispatcher", "WORKER_CONCURRENCY": "2"},
        python=sys.executable,
        extra=["-B", "-s", str(schedule)],
    )


@dataclass
class Window:
    """What the measured processes used between start and end (POSIX times)."""

    start: float
    end: float
    cpu: dict[int, float]  # pid -> CPU seconds spent in the window
    rss: dict[int, int]  # pid -> VmRSS at the end
    rss_peak: dict[int, int]  # pid -> highest VmRSS sampled during the window
    busy: float  # CPU seconds the whole machine spent (all processes, all cores)
    load: float  # 1-minute load average at the end

    @property
    def seconds(self) -> float:
        return self.end - self.start


def measure(procs: list[ManagedProcess], seconds: float, extra_pids: list[int] = ()) -> Window:
    """CPU and memory of procs (and of extra_pids, their children) over `seconds`; BenchError if one of
    procs exits meanwhile."""
    pids = [p.pid for p in procs if p.pid is not None] + list(extra_pids)
    start = time.time()
    busy = busy_seconds()
    before = {pid: cpu_seconds(pid) for pid in pids}
    peak = dict.fromkeys(pids, 0)
    while (left := start + seconds - time.time()) > 0:
        time.sleep(min(1.0, left))
        if dead := [p.name for p in procs if not p.is_running()]:
            raise BenchError(f"{', '.join(dead)} exited during the measurement")
        peak = {pid: max(peak[pid], rss_bytes(pid)) for pid in pids}
    after = {pid: cpu_seconds(pid) for pid in pids}
    busy = busy_seconds() - busy
    end = time.time()
    rss = {pid: rss_bytes(pid) for pid in pids}
    peak = {pid: max(peak[pid], rss[pid]) for pid in pids}
    load = float(Path("/proc/loadavg").read_text().split()[0])
    return Window(start, end, {pid: after[pid] - before[pid] for pid in pids}, rss, peak, busy, load)


def machine_load(window: Window, simulator: int) -> dict[str, float]:
    """How busy the machine was in the window: the simulator, and what no measured process did (the
    database and Redis, this script, and whatever else runs on the machine: it makes CPU numbers noisy)."""

    def percent(cpu: float) -> float:
        return round(100 * cpu / window.seconds, 1)

    return {
        "machine_cpu_percent_of_one_core": percent(window.busy),
        "simulator_cpu_percent_of_one_core": percent(window.cpu[simulator]),
        "unmeasured_cpu_percent_of_one_core": percent(window.busy - sum(window.cpu.values())),
        "load_average_1m": window.load,
    }


def overlap(start: float, end: float, window: Window) -> float:
    return max(0.0, min(end, window.end) - max(start, window.start))


@dataclass
class BareFfmpeg:
    """The bare ffmpeg processes recording beside ours: what they used in the shared window."""

    procs: list[ManagedProcess]
    dirs: list[Path]
    startup_s: float
    version: str

    def result(self, window: Window, simulator_pid: int) -> dict[str, object]:
        for proc in self.procs:
            proc.stop(timeout=10)
        closed = [p for d in self.dirs for p in d.iterdir() if window.start <= p.stat().st_mtime <= window.end]
        n = len(self.procs)
        cpu, rss = sum(window.cpu[p.pid] for p in self.procs), sum(window.rss[p.pid] for p in self.procs)
        return {
            "command": "ffmpeg -rtsp_transport tcp -i URL -c copy -f segment -segment_time 4 -reset_timestamps 1 "
            "DIR/%06d.ts (one process per camera, recording the same streams in the same window as ours)",
            "ffmpeg": self.version,
            "seconds": round(window.seconds, 2),
            "startup_s": round(self.startup_s, 1),
            "cpu_seconds": round(cpu, 2),
            "cpu_percent_of_one_core": round(100 * cpu / window.seconds, 2),
            "cpu_percent_of_one_core_per_camera": round(100 * cpu / window.seconds / n, 3),
            "rss_mb_total": round(rss / MB, 1),
            "rss_mb_peak_sum": round(sum(window.rss_peak[p.pid] for p in self.procs) / MB, 1),
            "rss_mb_per_camera": round(rss / MB / n, 2),
            "segments_closed_in_window": len(closed),
            **machine_load(window, simulator_pid),  # the same window as ours
        }


class Bench:
    def __init__(self, args: argparse.Namespace, tmp: Path, database_url: str, redis_url: str) -> None:
        self.args = args
        self.tmp = tmp
        self.recordings = tmp / "recordings"
        self.processes: list[ManagedProcess] = []
        self.simulator: SharedEncoderCameras | None = None
        self.extra_simulators: list[object] = []
        self.django_ready = False
        self.env = {
            "VMS_MODE": "test",
            "DEBUG": "false",  # as in production: no per-query SQL capture in the worker
            "DJANGO_SETTINGS_MODULE": "birzai_vms.settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "RECORDINGS_ROOT": str(self.recordings),
            "VAR_DIR": str(tmp / "var"),
            "NODE_NAME": "bench",
            "CELERY_BEAT_SCHEDULER": "celery.beat:PersistentScheduler",
            "PYTHONPATH": str(ROOT),
        }

    # --- processes ----------------------------------------------------------------------------------
    def spawn(self, name: str, argv: list[str], env: dict[str, str] | None = None) -> ManagedProcess:
        process = ManagedProcess(name, argv, env=env, log_path=self.tmp / "logs" / f"{name}.log", cwd=ROOT)
        self.processes.append(process)
        return process.start()

    def celery_worker(self, name: str, argv: list[str]) -> ManagedProcess:
        """argv: a worker line of the process table (birzai_vms/processes.py), as the Procfile runs it."""
        worker = self.spawn(name, argv, self.env)
        worker.wait_for_line(r"ready\.", timeout=60)
        return worker

    def stop_all(self) -> None:
        for process in reversed(self.processes):
            process.stop(timeout=20)
        if self.simulator is not None:
            self.simulator.stop()
        for camera in self.extra_simulators:
            camera.stop()

    @property
    def simulator_process(self) -> ManagedProcess:
        assert self.simulator is not None and self.simulator.proc is not None
        return self.simulator.proc

    def tails(self) -> str:
        shown = [p for p in self.processes if not p.name.startswith("ffmpeg-")] + [
            p for p in self.processes if p.name.startswith("ffmpeg-") and p.returncode not in (None, 0, -15, 255)
        ][:2]
        return "\n".join(f"--- {p.name} (last lines)\n{p.tail(15)}" for p in shown)

    # --- the run ------------------------------------------------------------------------------------
    def prepare(self) -> None:
        """The benchmark database migrated (in a child, as deployments do), then Django set up in this process."""
        os.environ.update(self.env)
        say("migrating the benchmark database")
        migrate = self.spawn("migrate", [sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput"], self.env)
        if migrate.wait(timeout=300) != 0:
            raise BenchError(f"manage.py migrate failed:\n{migrate.tail()}")
        import django

        django.setup()
        self.django_ready = True

    def run(self) -> dict[str, object]:
        self.prepare()
        self.simulator = SharedEncoderCameras(
            self.args.cameras, free_port_range(self.args.cameras), log_path=self.tmp / "logs" / "simulator.log"
        )
        say(f"starting the simulator: {self.args.cameras} cameras from one encoder")
        self.simulator.start()
        ids = self.create_cameras(self.simulator.urls)
        runs = []
        for k in range(1, self.args.runs + 1):
            say(f"run {k} of {self.args.runs}")
            ours = self.record_with_vms(ids, beside=self.simulator.urls)
            runs.append((ours, ours.pop("beside")))
        mixed = self.record_mixed_fleet()
        return self.report(runs, mixed)

    def record_mixed_fleet(self) -> dict[str, object]:
        """Phase 3: the same H.264 cameras plus H.265 and Motion-JPEG ones, each from its own simulator."""
        from simulator.fleet import SimulatedCamera, free_port

        extra = []
        for kind, count in MIXED_KINDS.items():
            for k in range(count):
                camera = SimulatedCamera(
                    f"{kind} {k + 1}",
                    port=free_port(),
                    kind=kind,
                    width=self.simulator.width,
                    height=self.simulator.height,
                    fps=self.simulator.fps,
                    log_path=self.tmp / "logs" / f"simulator-{kind}-{k}.log",
                )
                self.extra_simulators.append(camera)
                camera.start()
                extra.append(camera.url)
        say(f"phase 3: mixed fleet, {len(self.simulator.urls)} H.264 + {MIXED_KINDS}")
        ids = self.create_cameras(self.simulator.urls + extra)
        mixed = self.record_with_vms(ids, timecodes=False)
        mixed["kinds"] = {"h264": len(self.simulator.urls), **MIXED_KINDS}
        return mixed

    def create_cameras(self, urls: list[str]) -> list[int]:
        """The benchmark's cameras for these URLs: those of an earlier phase are kept, new ones added."""
        from cameras.models import Camera
        from eldership.models import Eldership

        self.delete_cameras(keep_urls=urls)  # left over from an earlier run (its simulators had other ports)
        if others := Camera.objects.enabled().exclude(eldership__code=ELDERSHIP_CODE).count():
            raise BenchError(
                f"the database has {others} other enabled cameras, which the capture worker would record too; "
                "point DATABASE_URL at a database of its own (the default is birzai_vms_bench)"
            )
        eldership, _ = Eldership.objects.get_or_create(
            code=ELDERSHIP_CODE,
            defaults={"name": "Benchmark", "centre_latitude": "56.200000", "centre_longitude": "24.750000"},
        )
        known = dict(Camera.objects.filter(eldership=eldership).values_list("rtsp_url", "pk"))
        new = [
            Camera(eldership=eldership, name=f"Bench {k:02d} {url.split('//')[-1]}", rtsp_url=url)
            for k, url in enumerate(urls, 1)
            if url not in known
        ]
        Camera.objects.bulk_create(new)
        known = dict(Camera.objects.filter(eldership=eldership).values_list("rtsp_url", "pk"))
        return [known[url] for url in urls]

    def delete_cameras(self, keep_urls: list[str] = ()) -> None:
        """The benchmark's cameras (but those of `keep_urls`) and everything recorded of them or noticed
        about them (footage, alarm and incident rows protect their camera)."""
        if not self.django_ready:
            return
        from alarms.models import Alarm
        from cameras.models import Camera
        from incidents.models import Incident
        from recordings.models import Gap, Segment

        cameras = Camera.objects.filter(eldership__code=ELDERSHIP_CODE).exclude(rtsp_url__in=keep_urls)
        for model in (Segment, Gap, Alarm, Incident):
            model.objects.filter(camera__in=cameras).delete()
        cameras.delete()

    def record_with_vms(
        self,
        ids: list[int],
        *,
        timecodes: bool = True,
        argv: list[str] | None = None,
        env: dict[str, str] | None = None,
        beside: list[str] | None = None,
    ) -> dict[str, object]:
        """Record `ids` with one capture process (or `argv`: a capture node, measured with its children).
        With `beside`, bare ffmpeg records those URLs at the same time and is measured in the same window
        (its figures under the key "beside"): both see the same load from the rest of the machine, which
        on a shared machine moves CPU figures measured one after the other by a third."""
        from cameras.choices import CameraState
        from cameras.models import CameraStatus
        from recordings.models import Gap, Segment

        n = len(ids)
        say("phase 1: our recorder (capture worker + dispatcher)")
        worker = self.spawn("capture", argv or capture_argv(), {**self.env, **(env or {})})
        worker.wait_for_line(r"ready\.", timeout=60)
        baseline_rss = rss_bytes(worker.pid) + sum(rss_bytes(pid) for pid in child_pids(worker.pid))
        dispatcher = self.celery_worker("dispatcher", dispatcher_argv(self.tmp / "beat"))

        phase_start = datetime.now(UTC)

        def all_recording() -> bool:
            if not worker.is_running():
                raise BenchError("the capture worker exited")
            recording = CameraStatus.objects.filter(
                camera_id__in=ids, state=CameraState.RECORDING, heartbeat_at__gte=phase_start
            ).count()
            fresh = Segment.objects.filter(camera_id__in=ids, end__gte=phase_start)
            return recording == n and fresh.values("camera_id").distinct().count() == n

        began = time.monotonic()
        wait_for(all_recording, timeout=self.args.ready_timeout, what=f"all {n} cameras recording with a segment")
        startup_s = time.monotonic() - began
        say(f"all {n} cameras recording after {startup_s:.1f} s")
        bare = self.start_ffmpeg(beside) if beside else None
        say(f"measuring for {self.args.seconds:g} s")
        children = child_pids(worker.pid)
        window = measure(
            [worker, dispatcher, self.simulator_process, *(bare.procs if bare else [])], self.args.seconds, children
        )
        beside_result = bare.result(window, self.simulator_process.pid) if bare else None

        # The segments open at the end of the window close within a segment length; wait for their rows.
        end = datetime.fromtimestamp(window.end, UTC)
        wait_for(
            lambda: Segment.objects.filter(camera_id__in=ids, end__gte=end).values("camera_id").distinct().count() == n,
            timeout=30,
            what="the segments open at the end of the window to be indexed",
        )
        time.sleep(1)
        dispatcher.stop(timeout=20)
        worker.stop(timeout=20)

        segments = list(Segment.objects.filter(camera_id__in=ids, end__gt=end - timedelta(seconds=window.seconds + 30)))
        latencies, indexed = [], set()
        for seg in segments:
            indexed.add(seg.path)
            mtime = (self.recordings / seg.path).stat().st_mtime
            if window.start <= mtime <= window.end:
                latencies.append(seg.indexed_at.timestamp() - mtime)
        closed = [p for p in self.recordings.rglob("*Z.*") if window.start <= p.stat().st_mtime <= window.end]
        unindexed = [p for p in closed if str(p.relative_to(self.recordings)) not in indexed]

        gaps = Gap.objects.filter(camera_id__in=ids, start__lt=end, end__gt=datetime.fromtimestamp(window.start, UTC))
        gap_rows_s = sum(overlap(g.start.timestamp(), g.end.timestamp(), window) for g in gaps)
        holes_s = 0.0
        for camera_id in ids:
            cursor = window.start
            for seg in sorted((s for s in segments if s.camera_id == camera_id), key=lambda s: s.start):
                if seg.end.timestamp() <= window.start or seg.start.timestamp() >= window.end:
                    continue
                if seg.start.timestamp() - cursor > HOLE_S:
                    holes_s += min(seg.start.timestamp(), window.end) - cursor
                cursor = max(cursor, seg.end.timestamp())
            if window.end - cursor > HOLE_S:
                holes_s += window.end - cursor

        cpu = window.cpu[worker.pid] + sum(window.cpu[pid] for pid in children)
        rss = window.rss[worker.pid] + sum(window.rss[pid] for pid in children)
        return {
            "design": DESIGN,
            "command": shlex.join(["python", *(argv or capture_argv())[1:]]),
            "seconds": round(window.seconds, 2),
            "startup_s": round(startup_s, 1),
            "cpu_seconds": round(cpu, 2),
            "cpu_percent_of_one_core": round(100 * cpu / window.seconds, 2),
            "cpu_percent_of_one_core_per_camera": round(100 * cpu / window.seconds / n, 3),
            "rss_mb_baseline": round(baseline_rss / MB, 1),
            "rss_mb_end": round(rss / MB, 1),
            "rss_mb_peak": round(sum(window.rss_peak[pid] for pid in [worker.pid, *children]) / MB, 1),
            "rss_mb_per_camera": round(rss / MB / n, 2),
            "rss_mb_per_camera_above_baseline": round((rss - baseline_rss) / MB / n, 2),
            "worker_children": len(children),
            "segments_closed_in_window": len(closed),
            "segments_unindexed": len(unindexed),
            "index_latency_p50_s": _round(percentile(latencies, 50), 3),
            "index_latency_p95_s": _round(percentile(latencies, 95), 3),
            "index_latency_max_s": _round(max(latencies, default=None), 3),
            "gap_rows_seconds": round(gap_rows_s, 2),
            "hole_seconds": round(holes_s, 2),
            "gap_seconds_total": round(gap_rows_s + holes_s, 2),
            "dispatcher_cpu_percent_of_one_core": round(100 * window.cpu[dispatcher.pid] / window.seconds, 2),
            **(self.timecode_errors(segments, window) if timecodes else {}),
            **machine_load(window, self.simulator_process.pid),
            **({"beside": beside_result} if beside_result else {}),
        }

    def timecode_errors(self, segments: list[Any], window: Window) -> dict[str, object]:
        """Index start minus the capture time the simulator burned into each segment's first frame."""
        import av

        from simulator.timecode import read_timecode

        errors_ms, unreadable = [], 0
        for seg in segments:
            if not window.start <= seg.start.timestamp() <= window.end:
                continue
            with av.open(str(self.recordings / seg.path)) as container:
                frame = next(container.decode(video=0), None)
                captured = read_timecode(frame.to_ndarray(format="gray")) if frame is not None else None
            if captured is None:
                unreadable += 1
                continue
            errors_ms.append(abs((seg.start - captured).total_seconds()) * 1000)
        return {
            "timecode_segments": len(errors_ms),
            "timecode_unreadable": unreadable,
            "timecode_start_error_p50_ms": _round(percentile(errors_ms, 50), 1),
            "timecode_start_error_p95_ms": _round(percentile(errors_ms, 95), 1),
            "timecode_start_error_max_ms": _round(max(errors_ms, default=None), 1),
        }

    def start_ffmpeg(self, urls: list[str]) -> BareFfmpeg:
        """One bare `ffmpeg -c copy -f segment` process per URL, started and segmenting."""
        import imageio_ffmpeg

        exe = imageio_ffmpeg.get_ffmpeg_exe()
        say(f"beside it: {len(urls)} bare ffmpeg processes on the same streams")
        dirs, procs = [], []
        for k, url in enumerate(urls, 1):
            out = Path(tempfile.mkdtemp(prefix=f"{k:03d}-", dir=self.tmp))
            dirs.append(out)
            argv = [exe, "-hide_banner", "-nostdin", "-loglevel", "warning", "-rtsp_transport", "tcp", "-i", url,
                    "-c", "copy", "-f", "segment", "-segment_time", "4", "-reset_timestamps", "1",
                    str(out / "%06d.ts")]  # fmt: skip
            procs.append(self.spawn(f"ffmpeg-{k:02d}", argv))

        def all_segmented() -> bool:
            if dead := [p for p in procs if not p.is_running()]:
                raise BenchError(f"{', '.join(p.name for p in dead)} exited:\n{dead[0].tail()}")
            return all(len(list(d.iterdir())) >= 2 for d in dirs)  # the first segment closed

        began = time.monotonic()
        wait_for(all_segmented, timeout=self.args.ready_timeout, what="a first segment from every ffmpeg")
        startup_s = time.monotonic() - began
        say(f"all {len(urls)} ffmpeg segmenting after {startup_s:.1f} s")
        version = ManagedProcess("ffmpeg-version", [exe, "-version"]).start()
        version.wait(timeout=10)
        return BareFfmpeg(procs, dirs, startup_s, (version.tail(200).splitlines() or ["?"])[0])

    def report(
        self, runs: list[tuple[dict[str, object], dict[str, object]]], mixed: dict[str, object]
    ) -> dict[str, object]:
        """The median of the runs for the CPU ratio (each run's ours and bare ffmpeg measured in one window),
        with every run's ratio and load beside it; the other figures from the last run."""
        import av

        assert self.simulator is not None
        sim = self.simulator
        ratios = [cpu_ratio(ours, bare) for ours, bare in runs]
        ratio = statistics.median(ratios) if None not in ratios else None
        ours, bare = runs[-1]
        p95 = ours["index_latency_p95_s"]
        result: dict[str, object] = {
            "benchmark": "recording",
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "commit": git_commit(),
            "cameras": self.args.cameras,
            "seconds": ours["seconds"],
            "cpu_ratio_vs_bare_ffmpeg": _round(ratio, 3),
            "cpu_ratio_runs": [_round(r, 3) for r in ratios],
            "cpu_ratio_spread": _round(max(ratios) - min(ratios), 3) if None not in ratios else None,
            "load_average_1m_runs": [[o["load_average_1m"], b["load_average_1m"]] for o, b in runs],
            "cpu_percent_of_one_core_per_camera": ours["cpu_percent_of_one_core_per_camera"],
            "rss_mb_per_camera": ours["rss_mb_per_camera"],
            "index_latency_p95_s": p95,
            "gap_seconds_total": ours["gap_seconds_total"],
            "timecode_start_error_p50_ms": ours["timecode_start_error_p50_ms"],
            "timecode_start_error_p95_ms": ours["timecode_start_error_p95_ms"],
            "mixed_fleet_cpu_percent_per_camera": mixed["cpu_percent_of_one_core_per_camera"],
            "goals": {
                "timecode_start_error_p50_ms": {
                    "goal": "<= 50",
                    "met": ours["timecode_start_error_p50_ms"] is not None
                    and float(ours["timecode_start_error_p50_ms"]) <= 50,
                },
                "timecode_start_error_p95_ms": {
                    "goal": "<= 100",
                    "met": ours["timecode_start_error_p95_ms"] is not None
                    and float(ours["timecode_start_error_p95_ms"]) <= 100,
                },
                "index_latency_p95_s": {"goal": "<= 2", "met": p95 is not None and float(p95) <= 2.0},
                "gap_seconds_total": {"goal": "== 0", "met": ours["gap_seconds_total"] == 0},
                "rss_mb_per_camera": {"goal": "<= 40", "met": float(ours["rss_mb_per_camera"]) <= 40},
                "cpu_ratio_vs_bare_ffmpeg": {
                    "goal": "<= 1.3 (aim <= 1.0)",
                    "met": ratio is not None and ratio <= 1.3,
                    "aim_met": ratio is not None and ratio <= 1.0,
                },
            },
            "design": DESIGN,
            "recorder": ours,
            "bare_ffmpeg": bare,
            "mixed_fleet": mixed,
            "stream": {
                "codec": "h264",
                "width": sim.width,
                "height": sim.height,
                "fps": sim.fps,
                "bitrate_kbps": sim.bitrate_kbps,
                "keyframe_seconds": sim.keyframe_seconds,
                "transport": "RTSP over TCP from one shared-encoder GStreamer simulator (its CPU not counted)",
                "segment_seconds": 4,
            },
            "machine": {**machine(), "pyav": av.__version__, "pyav_ffmpeg": getattr(av, "ffmpeg_version_info", "?")},
        }
        return result


def cpu_ratio(ours: dict[str, object], bare: dict[str, object]) -> float | None:
    """Our recorder's CPU over bare ffmpeg's, each per second of its window."""
    bare_rate = float(bare["cpu_seconds"]) / float(bare["seconds"])
    return float(ours["cpu_seconds"]) / float(ours["seconds"]) / bare_rate if bare_rate else None


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def summary(r: dict[str, Any]) -> str:
    ours, bare, m = r["recorder"], r["bare_ffmpeg"], r["machine"]
    goals = r["goals"]
    busy = (ours["unmeasured_cpu_percent_of_one_core"], bare["unmeasured_cpu_percent_of_one_core"])

    def mark(key: str) -> str:
        return "ok" if goals[key]["met"] else "MISSED"

    return "\n".join(
        [
            f"Recording benchmark, {r['date']}: {r['cameras']} cameras, {r['seconds']} s window",
            f"machine: {m['nproc']} x {m['cpu_model']}, {m['memory_gb']} GB",
            f"design: {r['design']}",
            "",
            f"{'':28}{'our recorder':>16}{'bare ffmpeg':>16}",
            *(
                f"{label:28}{ours[a]:>16}{bare[b]:>16}"
                for label, a, b in [
                    ("CPU % of one core, total", "cpu_percent_of_one_core", "cpu_percent_of_one_core"),
                    (
                        "CPU % of one core, /camera",
                        "cpu_percent_of_one_core_per_camera",
                        "cpu_percent_of_one_core_per_camera",
                    ),
                    ("RSS MB, total at end", "rss_mb_end", "rss_mb_total"),
                    ("RSS MB, per camera", "rss_mb_per_camera", "rss_mb_per_camera"),
                    ("segments closed in window", "segments_closed_in_window", "segments_closed_in_window"),
                    (
                        "simulator CPU % of one core",
                        "simulator_cpu_percent_of_one_core",
                        "simulator_cpu_percent_of_one_core",
                    ),
                    (
                        "unmeasured CPU % (DB, other)",
                        "unmeasured_cpu_percent_of_one_core",
                        "unmeasured_cpu_percent_of_one_core",
                    ),
                    ("load average at end", "load_average_1m", "load_average_1m"),
                ]
            ),
            "",
            f"CPU ratio vs bare ffmpeg   {r['cpu_ratio_vs_bare_ffmpeg']}   "
            f"(<= 1.3 bar: {mark('cpu_ratio_vs_bare_ffmpeg')}; <= 1.0 aim: "
            f"{'ok' if goals['cpu_ratio_vs_bare_ffmpeg']['aim_met'] else 'missed'})",
            f"RSS per camera             {r['rss_mb_per_camera']} MB (baseline {ours['rss_mb_baseline']} MB; "
            f"{ours['rss_mb_per_camera_above_baseline']} MB above it)   (<= 40: {mark('rss_mb_per_camera')})",
            f"index latency p50/p95/max  {ours['index_latency_p50_s']} / {r['index_latency_p95_s']} / "
            f"{ours['index_latency_max_s']} s, {ours['segments_unindexed']} unindexed   "
            f"(p95 <= 2: {mark('index_latency_p95_s')})",
            f"gaps                       {r['gap_seconds_total']} s (rows {ours['gap_rows_seconds']}, holes "
            f"{ours['hole_seconds']})   (== 0: {mark('gap_seconds_total')})",
            f"segment start vs timecode  p50 {r['timecode_start_error_p50_ms']} ms, p95 "
            f"{r['timecode_start_error_p95_ms']} ms over {ours['timecode_segments']} segments   "
            f"(<= 50 / 100: {mark('timecode_start_error_p50_ms')} / {mark('timecode_start_error_p95_ms')})",
            f"mixed fleet {r['mixed_fleet']['kinds']}: CPU % of one core per camera "
            f"{r['mixed_fleet_cpu_percent_per_camera']} (H.264 only: {r['cpu_percent_of_one_core_per_camera']})",
            *(
                [
                    f"NOTE: other processes kept the machine busy (unmeasured CPU {busy[0]} % / {busy[1]} % of one "
                    "core in the windows); CPU numbers are noisier then."
                ]
                if max(busy) > 50
                else []
            ),
        ]
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cameras", type=int, default=24, help="simulated cameras (default 24)")
    add_run_arguments(
        parser, output=OUTPUT, seconds=60.0, ready_timeout=120.0, runs_help="times ours and bare ffmpeg are measured"
    )
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    code, result = run_bench(args, Bench, Bench.run, prefix="vms-bench-")
    if result is None:
        return code
    write_result(args.output, result)
    print("\n" + summary(result) + f"\n\nwritten to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
