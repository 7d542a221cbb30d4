"""Scale benchmark: a capture node (`manage.py capture_node`, CAPTURE_PROCESSES processes) at 24, 96 and 192
cameras against bare ffmpeg on the same streams in the same run, and the failover time between two nodes.

`make bench` runs `.venv/bin/python bench/scale.py` and writes bench/results/scale.json.

For each camera count, one shared-encoder simulator serves the cameras (its CPU is not counted); then,
--runs times: the capture node records them (CPU and RSS of the node and all its processes over
--seconds, index latency and gaps from the index: bench/recording.py's measurement), and beside it, in
the same window, one bare `ffmpeg -c copy -f segment` per camera on the same URLs. Each count reports the median of the
runs and their spread, with the load average of every run. Failover: two capture processes with
different NODE_NAMEs and recording roots record 24 cameras; one is SIGKILLed; the time from the kill to
the last of its cameras having a segment from the other node, --runs times.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import add_run_arguments, flush_redis, git_commit, machine, run_bench, say, wait_for, write_result  # noqa: E402
from bench.recording import Bench, cpu_ratio  # noqa: E402
from birzai_vms.processes import command  # noqa: E402
from simulator.fleet import SharedEncoderCameras, free_port_range  # noqa: E402

OUTPUT = ROOT / "bench" / "results" / "scale.json"
COUNTS = (24, 96, 192)
FAILOVER_CAMERAS = 24
FIGURES = (
    "cpu_ratio_vs_bare_ffmpeg",
    "cpu_percent_of_one_core_per_camera",
    "rss_mb_per_camera",
    "index_latency_p95_s",
    "gap_seconds_total",
)


def node_argv() -> list[str]:
    """The Procfile's capture line: a capture node of CAPTURE_PROCESSES capture processes."""
    return command("capture", python=sys.executable)


def summarise(values: list[float | None]) -> dict[str, Any]:
    known = [v for v in values if v is not None]
    if not known:
        return {"median": None, "spread": None, "runs": values}
    return {
        "median": round(statistics.median(known), 3),
        "spread": round(max(known) - min(known), 3),
        "runs": values,
    }


class ScaleBench(Bench):
    def run(self) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        self.prepare()
        return self.scale_runs(), self.failover()

    def scale_runs(self) -> list[dict[str, Any]]:
        results = []
        for count in self.args.counts:
            self.simulator = SharedEncoderCameras(
                count, free_port_range(count), log_path=self.tmp / "logs" / f"simulator-{count}.log"
            )
            say(f"{count} cameras from one encoder")
            self.simulator.start()
            try:
                ids = self.create_cameras(self.simulator.urls)
                runs = []
                for k in range(1, self.args.runs + 1):
                    say(f"{count} cameras, run {k} of {self.args.runs}")
                    env = {"CAPTURE_CONCURRENCY": str(count + 8)}  # every camera fits into any one process
                    ours = self.record_with_vms(
                        ids, timecodes=False, argv=node_argv(), env=env, beside=self.simulator.urls
                    )
                    runs.append((ours, ours.pop("beside")))
            finally:
                self.delete_cameras()
                self.simulator.stop()
                self.simulator = None
            per_run = [
                {
                    "cpu_ratio_vs_bare_ffmpeg": _round(cpu_ratio(ours, bare)),
                    "cpu_percent_of_one_core_per_camera": ours["cpu_percent_of_one_core_per_camera"],
                    "bare_ffmpeg_cpu_percent_of_one_core_per_camera": bare["cpu_percent_of_one_core_per_camera"],
                    "rss_mb_per_camera": ours["rss_mb_per_camera"],
                    "bare_ffmpeg_rss_mb_per_camera": bare["rss_mb_per_camera"],
                    "index_latency_p95_s": ours["index_latency_p95_s"],
                    "gap_seconds_total": ours["gap_seconds_total"],
                    "segments_unindexed": ours["segments_unindexed"],
                    "capture_processes": ours["worker_children"],
                    "load_average_1m": [ours["load_average_1m"], bare["load_average_1m"]],
                    "unmeasured_cpu_percent_of_one_core": [
                        ours["unmeasured_cpu_percent_of_one_core"],
                        bare["unmeasured_cpu_percent_of_one_core"],
                    ],
                }
                for ours, bare in runs
            ]
            entry: dict[str, Any] = {"cameras": count}
            for figure in FIGURES:
                entry[figure] = summarise([run[figure] for run in per_run])["median"]
            entry["spread"] = {figure: summarise([run[figure] for run in per_run])["spread"] for figure in FIGURES}
            entry["runs"] = per_run
            results.append(entry)
            say(f"{count} cameras: {json.dumps({f: entry[f] for f in FIGURES})}")
        return results

    def failover(self) -> dict[str, Any]:
        """Seconds from SIGKILL of one node to the last of its cameras recording on the other, --runs times."""
        self.simulator = SharedEncoderCameras(
            FAILOVER_CAMERAS, free_port_range(FAILOVER_CAMERAS), log_path=self.tmp / "logs" / "simulator-failover.log"
        )
        self.simulator.start()
        times, loads = [], []
        try:
            for k in range(1, self.args.runs + 1):
                say(f"failover, run {k} of {self.args.runs}")
                times.append(self.failover_once(k))
                loads.append(float(Path("/proc/loadavg").read_text().split()[0]))
                say(f"failover {times[-1]} s")
        finally:
            self.delete_cameras()
            self.simulator.stop()
            self.simulator = None
        return {**summarise(times), "cameras": FAILOVER_CAMERAS, "load_average_1m_runs": loads}

    def failover_once(self, k: int) -> float:
        from recordings.capture import lease
        from recordings.models import Segment

        self.delete_cameras()
        flush_redis(self.env["REDIS_URL"])
        nodes = {}
        for name in ("node-a", "node-b"):
            env = {**self.env, "NODE_NAME": name, "RECORDINGS_ROOT": str(self.tmp / f"{name}-{k}")}
            argv = command("capture-process", env={"CAPTURE_NAME": name}, python=sys.executable)
            nodes[name] = self.spawn(f"{name}-{k}", argv, env)
        for process in nodes.values():
            process.wait_for_line(r"ready\.", timeout=60)
        ids = self.create_cameras(self.simulator.urls)
        dispatcher = self.spawn(f"dispatcher-failover-{k}", self.dispatcher(), self.env)
        dispatcher.wait_for_line(r"ready\.", timeout=60)

        def node_of(camera_id: int) -> str | None:
            holder = lease.holder_of(camera_id)
            return holder.split(":")[0] if holder else None

        wait_for(lambda: all(node_of(c) for c in ids), timeout=90, what="every camera leased")
        time.sleep(self.args.seconds / 2)
        moved = [c for c in ids if node_of(c) == "node-a"]
        nodes["node-a"].kill()
        killed = datetime.now(UTC)
        after = Segment.objects.filter(camera_id__in=moved, node="node-b", start__gt=killed)
        wait_for(
            lambda: after.values("camera_id").distinct().count() == len(moved),
            timeout=60,
            what="the killed node's cameras recording on the other",
        )
        first: dict[int, datetime] = {}
        for camera_id, start in after.values_list("camera_id", "start"):
            first[camera_id] = min(first.get(camera_id, start), start)
        for process in (dispatcher, *nodes.values()):
            process.stop(timeout=20)
        return round(max((s - killed).total_seconds() for s in first.values()), 2)

    def dispatcher(self) -> list[str]:
        from bench.recording import dispatcher_argv

        return dispatcher_argv(self.tmp / "beat-failover")


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--counts", type=int, nargs="+", default=list(COUNTS), help="camera counts (24 96 192)")
    add_run_arguments(parser, output=OUTPUT, seconds=30.0, ready_timeout=240.0, runs_help="measurements of each figure")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    minutes = len(args.counts) * args.runs * (2 * args.seconds + 60) / 60 + args.runs
    code, measured = run_bench(
        args, ScaleBench, ScaleBench.run, prefix="vms-bench-scale-", plan=f"; about {minutes:.0f} minutes"
    )
    if measured is None:
        return code
    runs, failover = measured
    from django.conf import settings

    result = {
        "benchmark": "scale",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "seconds": args.seconds,
        "runs_per_figure": args.runs,
        "capture_processes": settings.CAPTURE_PROCESSES,
        "design": "manage.py capture_node: CAPTURE_PROCESSES Celery capture processes (threads pool, one PyAV "
        "stream-copy session per camera, one indexer and one keeper thread each); bare ffmpeg: one "
        "`ffmpeg -c copy -f segment` process per camera, on the same streams, in the same window",
        "runs": runs,
        "node_failover_s": failover["median"],
        "node_failover": failover,
        "goals": {
            "cpu_ratio_vs_bare_ffmpeg": "<= 1.0 at every count",
            "cpu_per_camera_192_vs_24": "<= 1.2",
            "node_failover_s": "<= 15",
        },
        "machine": machine(),
    }
    by_count = {r["cameras"]: r for r in runs}
    if 24 in by_count and 192 in by_count and by_count[24]["cpu_percent_of_one_core_per_camera"]:
        result["cpu_per_camera_192_vs_24"] = round(
            by_count[192]["cpu_percent_of_one_core_per_camera"] / by_count[24]["cpu_percent_of_one_core_per_camera"], 3
        )
    write_result(args.output, result)
    print(json.dumps({k: v for k, v in result.items() if k not in ("runs", "machine")}, indent=2))
    for r in runs:
        print(f"{r['cameras']:>4} cameras: " + ", ".join(f"{f} {r[f]} (±{r['spread'][f]})" for f in FIGURES))
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
