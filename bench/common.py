"""Helpers shared by the benchmarks: services, /proc readings, machine description, statistics."""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The recording benches' services (overridden by DATABASE_URL and BENCH_REDIS_URL).
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/birzai_vms_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/10"


class BenchError(RuntimeError):
    """The benchmark cannot run or went wrong; the message says why."""


def redact(url: str) -> str:
    """The URL with its password (if any) replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, host = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}"))


def ensure_postgres(url: str) -> None:
    """Connect to the database at url, creating it when the server is up but the database is missing."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise BenchError(f"DATABASE_URL={redact(url)} is not a PostgreSQL URL")
    dbname = unquote(parts.path.lstrip("/")) or "postgres"
    params = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "password": unquote(parts.password or ""),
        "connect_timeout": 3,
    }
    try:
        psycopg2.connect(dbname=dbname, **params).close()
        return
    except psycopg2.OperationalError as exc:
        if f'"{dbname}" does not exist' not in str(exc):
            raise BenchError(f"PostgreSQL is not reachable at {redact(url)}: {str(exc).strip()}") from exc
    conn = psycopg2.connect(dbname="postgres", **params)
    conn.autocommit = True
    try:
        with conn.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    finally:
        conn.close()


# pg_try_advisory_lock key of a recording benchmark's run (any constant: only benchmarks take it)
_RUN_LOCK_KEY = 0x42495253


def hold_database(url: str) -> Any:
    """A connection holding this database's benchmark lock for as long as it stays open: two recording
    benchmarks on one database would delete each other's cameras and record each other's streams."""
    import psycopg2

    conn = psycopg2.connect(url, connect_timeout=3)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT pg_try_advisory_lock(%s)", [_RUN_LOCK_KEY])
        if not cur.fetchone()[0]:
            conn.close()
            raise BenchError(
                f"another benchmark is running against {redact(url)}; wait for it, or give this one a "
                "database of its own (DATABASE_URL)"
            )
    return conn


def flush_redis(url: str) -> None:
    """FLUSHDB the Redis database at url (the benchmark's own)."""
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        client.flushdb()
        client.close()
    except redis.RedisError as exc:
        raise BenchError(f"Redis is not reachable at {redact(url)}: {exc}") from exc


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process (all its threads, not its children), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of proc(5)


def busy_seconds() -> float:
    """CPU time all cores spent on anything but idle and iowait since boot, from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS


def rss_bytes(pid: int) -> int:
    """VmRSS of the process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def child_pids(pid: int) -> list[int]:
    """PIDs of the process's children (of any of its threads)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((ln.split(":", 1)[1].strip() for ln in cpuinfo if ln.startswith("model name")), platform.machine())
    meminfo = Path("/proc/meminfo").read_text().split()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "memory_gb": round(int(meminfo[meminfo.index("MemTotal:") + 1]) / 1024**2, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


def git_commit(root: Path = ROOT) -> str | None:
    """The commit checked out at root (read from .git, no git process), None outside a repository.
    A worktree's .git is a file naming its git directory, whose branches are in the common directory."""
    try:
        git = root / ".git"
        if git.is_file():
            git = Path(git.read_text().strip().removeprefix("gitdir: "))
        common = git / (git / "commondir").read_text().strip() if (git / "commondir").exists() else git
        head = (git / "HEAD").read_text().strip()
        if not head.startswith("ref: "):
            return head
        ref = head.removeprefix("ref: ")
        for directory in (git, common):
            if (directory / ref).exists():
                return (directory / ref).read_text().strip()
        packed = (common / "packed-refs").read_text().splitlines()
        return next((line.split()[0] for line in packed if line.endswith(f" {ref}")), None)
    except OSError:
        return None


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0..100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def wait_for(check: Callable[[], T], *, timeout: float, what: str, interval: float = 0.5) -> T:
    """check()'s first truthy value; BenchError when the deadline passes."""
    deadline = time.monotonic() + timeout
    while not (value := check()):
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
    return value


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


class Runnable(Protocol):
    """What run_bench needs of a bench (bench/recording.py's Bench and its subclasses)."""

    def stop_all(self) -> None: ...
    def delete_cameras(self) -> None: ...
    def tails(self) -> str: ...


B = TypeVar("B", bound=Runnable)


def add_run_arguments(
    parser: argparse.ArgumentParser, *, output: Path, seconds: float, ready_timeout: float, runs_help: str
) -> None:
    """The options the recording benches share: --runs, --seconds, --ready-timeout, --output, --keep."""
    parser.add_argument("--runs", type=int, default=3, help=f"{runs_help} (default 3)")
    parser.add_argument("--seconds", type=float, default=seconds, help=f"measurement window (default {seconds:g})")
    parser.add_argument("--ready-timeout", type=float, default=ready_timeout, help="deadline for all cameras to record")
    parser.add_argument("--output", type=Path, default=output, help=f"JSON result (default {output.relative_to(ROOT)})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (recordings, logs)")


def run_bench(
    args: argparse.Namespace,
    make: Callable[[argparse.Namespace, Path, str, str], B],
    work: Callable[[B], T],
    *,
    prefix: str,
    plan: str = "",
) -> tuple[int, T | None]:
    """The part of main() the recording benches share: services checked (the benchmark's Redis flushed),
    a temporary directory, make(args, tmp, database_url, redis_url) then work(bench); every child stopped,
    the benchmark's cameras deleted and Redis flushed at the end, on failure and on Ctrl-C too.
    (exit code, work's result): the result is None when the exit code is not 0."""
    # Ctrl-C and SIGTERM unwind through the finally below, which stops every child (also when started
    # with SIGINT ignored, as a background job of a non-interactive shell is).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    redis_url = os.environ.get("BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    lock = None
    try:
        ensure_postgres(database_url)
        lock = hold_database(database_url)
        flush_redis(redis_url)
    except BenchError as exc:
        if lock is not None:  # Redis is down: let another benchmark have the database
            lock.close()
        print(f"bench: cannot run: {exc}", file=sys.stderr)
        return 2, None
    say(f"PostgreSQL {redact(database_url)}, Redis {redact(redis_url)}{plan}")
    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    bench = make(args, tmp, database_url, redis_url)
    try:
        return 0, work(bench)
    except BenchError as exc:
        print(f"bench: FAILED: {exc}\n{bench.tails()}", file=sys.stderr)
        return 1, None
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130, None
    finally:
        bench.stop_all()
        try:
            bench.delete_cameras()
        except Exception as exc:  # noqa: BLE001 - cleanup is best effort; the result stands
            print(f"bench: could not delete the benchmark cameras: {exc}", file=sys.stderr)
        try:
            flush_redis(redis_url)
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
        if getattr(args, "keep", False):
            say(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        lock.close()


def write_result(path: Path, result: dict[str, object]) -> None:
    """The JSON result at path, replaced whole (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    partial.replace(path)
