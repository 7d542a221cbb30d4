"""Export benchmark: an evidence package of 1 h × 2 cameras of ~4 Mbit/s H.264, against `cat` of the same files.

`make bench` runs `.venv/bin/python bench/export.py` and writes bench/results/export.json.

The recordings are synthesised quickly: per camera one 4 s segment is encoded by ffmpeg (test pattern with
noise, 1280×720, 25 fps, 4 Mbit/s constant, a keyframe every second) and copied under every segment name of
the hour (900 files per camera, 1.8 GB), then indexed as Segment rows in the database
EXPORT_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/birzai_vms_export_bench; created when
missing). Each of RUNS runs times, in this process:

- `cat` of the 1800 segment files to /dev/null, before and after the export (the page cache holds them both
  times: this is the fastest anything can read them);
- `sha256sum` of the same files, before and after the export: a package must hash every byte at least once
  (the sources are re-hashed against the index), so this is the other yardstick; and `openssl dgst -sha256`
  of them (coreutils 9.1's sha256sum does not use the CPU's SHA instructions, OpenSSL, which the export's
  hashlib uses, does: the harder of the two);
- seconds_to_package: from `exports.services.start_export` to a READY package, the task a worker runs
  (`exports.tasks.build_export`): packets copied into one fragmented MP4 per camera straight into the zip,
  every source file re-hashed from the bytes demuxed, the videos and the package hashed as they are
  written, manifest signed, summaries rendered (HTML and PDF, lt and en); export_cpu_seconds is the CPU
  time (user + system, all threads) the build took, which other jobs on the machine move far less than
  the wall-clock time;
- throughput_ratio_vs_cat (_vs_sha256sum, _vs_openssl_sha256): the tool's seconds / the export's seconds
  over the same source bytes.

The machine is shared (two cores, several other jobs): the load average at each run is in the results.
EXPORT_BENCH_DATABASE_URL and EXPORT_BENCH_REDIS_URL say where the bench's database and Redis are.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
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

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/birzai_vms_export_bench"
SEGMENT_SECONDS = 4


def setup_django(url: str, workdir: Path) -> None:
    os.environ.update(
        {
            "VMS_MODE": "test",
            "DATABASE_URL": url,
            "RECORDINGS_ROOT": str(workdir / "recordings"),
            "EXPORTS_ROOT": str(workdir / "exports"),
            "VAR_DIR": str(workdir / "var"),
            # The build runs in this process; the queued message goes nowhere. Progress events go to Redis.
            "CELERY_BROKER_URL": "memory://",
            "REDIS_URL": os.environ.get("EXPORT_BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
            "NODE_NAME": "bench-node",
            "DJANGO_SETTINGS_MODULE": "birzai_vms.settings",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def run(name: str, argv: list[str], log: Path, timeout: float = 600) -> float:
    """Run a child process to its end through birzai_vms.processes; its wall-clock seconds."""
    from birzai_vms.processes import ManagedProcess

    began = time.perf_counter()
    process = ManagedProcess(name, argv, log_path=log).start()
    code = process.wait(timeout=timeout)
    seconds = time.perf_counter() - began
    if code != 0:
        process.stop()
        raise BenchError(f"{name} failed ({code}): {process.tail(5)}")
    return seconds


def template_segment(path: Path, seed: int, log: Path) -> None:
    import imageio_ffmpeg

    source = f"testsrc2=size=1280x720:rate=25,noise=alls={20 + seed}:allf=t+u"
    run(
        "encode",
        [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", source]
        + ["-t", str(SEGMENT_SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-g", "25"]
        + ["-b:v", "4M", "-minrate", "4M", "-maxrate", "4M", "-bufsize", "2M", "-f", "mpegts", str(path)],
        log,
    )


def synthesise(cameras: list, start: datetime, minutes: int, workdir: Path) -> list[Path]:
    """Segment files and Segment rows of each camera for `minutes` from `start`."""
    from recordings.capture import storage
    from recordings.models import Segment

    paths: list[Path] = []
    rows = []
    for seed, camera in enumerate(cameras):
        template = workdir / f"template-{camera.pk}.ts"
        template_segment(template, seed, workdir / "encode.log")
        probed = storage.probe(template)
        sha, size = storage.sha256_of(template), template.stat().st_size
        for n in range(minutes * 60 // SEGMENT_SECONDS):
            begin = start + timedelta(seconds=SEGMENT_SECONDS * n)
            relpath = storage.segment_relpath(camera.pk, begin)
            path = storage.absolute(relpath)
            path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(template, path)
            paths.append(path)
            rows.append(
                Segment(
                    camera=camera,
                    start=begin,
                    end=begin + probed.duration,
                    bytes=size,
                    sha256=sha,
                    path=relpath,
                    node="bench-node",
                    codec=probed.codec,
                    width=probed.width,
                    height=probed.height,
                )
            )
    Segment.objects.bulk_create(rows, batch_size=1000)
    return paths


def sha256_mb_per_s() -> float:
    """How fast this machine hashes right now (every byte of a package is hashed two or three times)."""
    import hashlib

    data = os.urandom(1 << 20) * 256
    began = time.perf_counter()
    hashlib.sha256(data).hexdigest()
    return round(256 * (1 << 20) / (time.perf_counter() - began) / 1e6, 1)


def commit() -> str | None:
    """The checked-out commit, also in a git worktree (whose .git is a file naming its git directory)."""
    found = git_commit()
    if found:
        return found
    try:
        gitdir = Path((ROOT / ".git").read_text().split("gitdir:", 1)[1].strip())
        head = (gitdir / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        common = gitdir / (gitdir / "commondir").read_text().strip()
        ref = head.removeprefix("ref: ")
        for base in (gitdir, common):
            if (base / ref).exists():
                return (base / ref).read_text().strip()
    except (OSError, IndexError):
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=str(ROOT / "bench/results/export.json"))
    args = parser.parse_args()
    url = os.environ.get("EXPORT_BENCH_DATABASE_URL", DEFAULT_URL)
    ensure_postgres(url)
    workdir = Path(tempfile.mkdtemp(prefix="export-bench-"))
    try:
        setup_django(url, workdir)
        result = measure(args, url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k not in {"machine", "runs"}}, indent=2))


def measure(args: argparse.Namespace, url: str, workdir: Path) -> dict[str, object]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from cameras.models import Camera
    from eldership.models import Eldership
    from exports import services
    from exports.choices import ExportKind, ExportState
    from exports.models import Export
    from exports.tasks import build_export

    with connection.cursor() as cur:
        cur.execute("TRUNCATE exports_export, cameras_camera, recordings_segment, recordings_gap CASCADE")
    eldership, _ = Eldership.objects.get_or_create(
        code="bench", defaults={"name": "Bench", "centre_latitude": "56.2", "centre_longitude": "24.75"}
    )
    cameras = [
        Camera.objects.create(eldership=eldership, name=f"Bench {n}", rtsp_url=f"rtsp://127.0.0.1:{9000 + n}/live")
        for n in range(2)
    ]
    user, _ = get_user_model().objects.get_or_create(username="bench-reviewer")
    start = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
    print(f"synthesising {args.minutes} min × {len(cameras)} cameras under {workdir}")
    began = time.perf_counter()
    paths = synthesise(cameras, start, args.minutes, workdir)
    source_bytes = sum(p.stat().st_size for p in paths)
    os.sync()  # the synthesised files' writeback must not land inside the first run
    print(f"{len(paths)} files, {source_bytes / 1e9:.2f} GB in {time.perf_counter() - began:.0f} s")
    end = start + timedelta(minutes=args.minutes)
    files = list(map(str, paths))
    tools = {
        "cat": ["/bin/sh", "-c", 'cat "$@" > /dev/null', "cat", *files],
        "sha256sum": ["/bin/sh", "-c", 'sha256sum "$@" > /dev/null', "sha256sum", *files],
        "openssl_sha256": ["/bin/sh", "-c", 'openssl dgst -sha256 "$@" > /dev/null', "openssl", *files],
    }
    runs = []
    for _run in range(args.runs):
        load = os.getloadavg()
        before = {name: run(name, argv, workdir / f"{name}.log") for name, argv in tools.items()}
        began, cpu = time.perf_counter(), os.times()
        export = services.start_export(
            kind=ExportKind.EVIDENCE, items=[(c, start, end) for c in cameras], created_by=user
        )
        build_export(export.pk)
        seconds = time.perf_counter() - began
        cpu_after = os.times()
        export = Export.objects.get(pk=export.pk)
        if export.state != ExportState.READY:
            raise BenchError(f"the export failed: {export.error}")
        after = {name: run(name, argv, workdir / f"{name}.log") for name, argv in tools.items()}
        tool_seconds = {name: (before[name] + after[name]) / 2 for name in tools}
        result = {
            "seconds_to_package": round(seconds, 2),
            "export_cpu_seconds": round(cpu_after.user - cpu.user + cpu_after.system - cpu.system, 2),
            "export_mb_per_s": round(source_bytes / seconds / 1e6, 1),
            "bytes": export.package_bytes,
            "load_average_1m_5m_15m": [round(x, 2) for x in load],
            "sha256_mb_per_s": sha256_mb_per_s(),
        }
        for name in tools:
            result |= {
                f"{name}_seconds": round(tool_seconds[name], 2),
                f"{name}_seconds_before_and_after": [round(before[name], 2), round(after[name], 2)],
                f"throughput_ratio_vs_{name}": round(tool_seconds[name] / seconds, 3),
                f"{name}_mb_per_s": round(source_bytes / tool_seconds[name] / 1e6, 1),
            }
        runs.append(result)
        print(json.dumps(runs[-1]))
        shutil.rmtree(services.export_dir(export.pk), ignore_errors=True)
        os.sync()

    def median(key: str) -> float:
        return statistics.median(r[key] for r in runs)

    def spread(key: str) -> list[float]:
        return [min(r[key] for r in runs), max(r[key] for r in runs)]

    return {
        "seconds_to_package": median("seconds_to_package"),
        "throughput_ratio_vs_cat": median("throughput_ratio_vs_cat"),
        "bytes": runs[-1]["bytes"],
        "throughput_ratio_vs_sha256sum": median("throughput_ratio_vs_sha256sum"),
        "throughput_ratio_vs_openssl_sha256": median("throughput_ratio_vs_openssl_sha256"),
        "export_cpu_seconds": median("export_cpu_seconds"),
        "runs_count": len(runs),
        "seconds_to_package_spread": spread("seconds_to_package"),
        "throughput_ratio_vs_cat_spread": spread("throughput_ratio_vs_cat"),
        "throughput_ratio_vs_sha256sum_spread": spread("throughput_ratio_vs_sha256sum"),
        "throughput_ratio_vs_openssl_sha256_spread": spread("throughput_ratio_vs_openssl_sha256"),
        "export_cpu_seconds_spread": spread("export_cpu_seconds"),
        "source_bytes": source_bytes,
        "source_files": len(paths),
        "goal_ratio": 0.5,
        "note": (
            "Medians of the runs. The machine is shared (2 cores, several other jobs running): see each run's "
            "load average and export_cpu_seconds. cat only reads, from the page cache; sha256sum (coreutils, "
            "without the CPU's SHA instructions) and openssl dgst -sha256 (with them) read and hash each byte "
            "once. The export reads each source file once (hashing it on another thread and demuxing it from "
            "memory), muxes every packet into a fragmented MP4 written straight into the zip entry, hashing the "
            "video and the package on two more threads as it goes (three SHA-256 passes and a CRC-32 over the "
            "data in all: see sha256_mb_per_s); each video byte is written once. The 0.5 goal against cat is "
            "out of reach: see docs/evidence.md, 'Cost (throughput)'."
        ),
        "runs": runs,
        "machine": machine(),
        "commit": commit(),
        "database": redact(url),
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"export bench: {exc}")
