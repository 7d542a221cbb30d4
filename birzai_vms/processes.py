"""Owns the lifetime of every child process (ffmpeg, RTSP simulators, workers): start, stop, never orphan.

Also the one table of the system's long-running processes (PROCESS_TABLE): the Procfile, docker-compose.yml,
`make demo`, the tests' CaptureStack and the benchmarks all take each process's argv from it."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import os
import queue
import re
import shlex
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "CHILD_PROCESS_TABLE",
    "PROCESS_TABLE",
    "ManagedProcess",
    "ProcessError",
    "command",
    "procfile_text",
    "stop_all",
]

# The system's processes, one line each, in /bin/sh syntax: `${NAME:-default}` is what differs between runs
# (production, the demo, tests, benchmarks). The Procfile at the top of the repository is procfile_text()
# (tests/test_process_table.py checks it), so honcho, docker-compose.yml and command() below all run the
# same argv. Defaults are production's; nothing here may hold a space inside a default or a path.
PROCESS_TABLE: dict[str, str] = {
    # Daphne: admin, dashboards, REST API, websockets, HLS playback. First in the table: honcho gives
    # every process PORT, and this is the one that listens on it.
    "web": "python -m daphne -b ${WEB_BIND:-127.0.0.1} -p ${PORT:-8000} --proxy-headers birzai_vms.asgi:application",
    # Celery, default queue: dispatcher, retention, exports. Gossip and mingle are for clusters that
    # revoke tasks and watch each other; nothing here does, and they cost seconds at every start.
    "worker": "python -m celery -A birzai_vms worker -Q default -P threads -c ${WORKER_CONCURRENCY:-4} "
    "-n ${WORKER_NAME:-default}@%h --without-gossip --without-mingle --loglevel ${LOG_LEVEL:-INFO}",
    # A capture node: CAPTURE_PROCESSES capture processes (below, CHILD_PROCESS_TABLE), started, restarted
    # and stopped by this one (recordings/management/commands/capture_node.py). SIGTERM stops them all.
    "capture": "python manage.py capture_node",
    # Celery beat; the schedule lives in the database (django-celery-beat), -s only keeps its state file
    # under VAR_DIR. Run exactly one.
    "beat": "python -m celery -A birzai_vms beat --loglevel ${LOG_LEVEL:-INFO} -s ${VAR_DIR:-var}/celerybeat-schedule",
    # The demo's simulated RTSP cameras (camera k: rtsp://127.0.0.1:<SIMULATOR_BASE_PORT + k>/live).
    # SIMULATOR_ARGS is split into words, as the shell does.
    "cameras": "python manage.py simulate_cameras --count ${DEMO_CAMERAS:-24} "
    "--names ${VAR_DIR:-var}/run/camera-names.txt ${SIMULATOR_ARGS:-}",
}
# Processes the Procfile leaves out. The demo's private Redis: only started when REDIS_URL is not set,
# and stopped after everything else (recorders release their leases in it), which honcho, stopping all
# at once, cannot do.
SETUP_PROCESS_TABLE: dict[str, str] = {
    "redis": "redis-server --bind 127.0.0.1 --port ${REDIS_PORT:-6399} --save '' --appendonly no "
    "--dir ${VAR_DIR:-var}/redis --daemonize no --logfile ''",
}
# Processes another process of the table starts (not in the Procfile). `capture-process`: Celery, capture
# queue and this process's own queue, threads pool: one long-running recorder per camera. On SIGTERM every
# recorder closes and indexes its segment (warm shutdown, within a few seconds). The tests and the
# benchmarks start it directly to have one process of known PID. No Celery event heartbeat either: our own
# heartbeat (birzai_vms/heartbeats.py) and the keeper's registration say it is alive (recordings/worker.py
# quietens the rest of its consumer).
CHILD_PROCESS_TABLE: dict[str, str] = {
    "capture-process": "python -m celery -A birzai_vms worker -Q capture -P threads -c ${CAPTURE_CONCURRENCY:-128} "
    "-n ${CAPTURE_NAME:-capture}@%h --without-gossip --without-mingle --without-heartbeat "
    "--loglevel ${LOG_LEVEL:-INFO}",
}
_PLACEHOLDER = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}")


def command(
    name: str,
    *,
    env: Mapping[str, str] | None = None,
    python: str = "python",
    extra: Sequence[str] = (),
) -> list[str]:
    """The argv of process `name` as /bin/sh would run its table line with `env` (only env: never
    os.environ, so a test's or a benchmark's argv does not depend on who runs it).

    An unset or empty variable takes its default; a word that is a variable alone is split into words
    (and disappears when empty); `python` replaces the interpreter; `extra` arguments are appended."""
    tables = {**PROCESS_TABLE, **SETUP_PROCESS_TABLE, **CHILD_PROCESS_TABLE}
    template = tables.get(name)
    if template is None:
        raise KeyError(f"no process {name!r}; the table has {', '.join(tables)}")
    values = dict(env or {})

    def value(m: re.Match[str]) -> str:
        return values.get(m.group(1)) or (m.group(2) or "")

    argv: list[str] = []
    for word in shlex.split(template):
        if _PLACEHOLDER.fullmatch(word):
            argv += _PLACEHOLDER.sub(value, word).split()
        else:
            argv.append(_PLACEHOLDER.sub(value, word))
    if argv[0] == "python":
        argv[0] = python
    return [*argv, *extra]


def procfile_text() -> str:
    """The Procfile: one `name: command` line per process of PROCESS_TABLE."""
    header = (
        "# Generated from birzai_vms/processes.py PROCESS_TABLE (tests/test_process_table.py checks it); edit\n"
        "# the table, then: python -c 'from birzai_vms.processes import procfile_text; "
        'print(procfile_text(), end="")\' > Procfile\n'
    )
    return header + "".join(f"{name}: {line}\n" for name, line in PROCESS_TABLE.items())


_PR_SET_PDEATHSIG = 1
_MAX_LOG_BYTES = 10 * 1024 * 1024  # a log above this is rotated to <log>.1 at the next start()
_TAIL_BYTES = 16 * 1024

# Strong references: a running child stays registered (and is stopped at exit) even if its owner forgot it.
_running: set[ManagedProcess] = set()
_registry_lock = threading.Lock()


class ProcessError(RuntimeError):
    """A managed process failed to start, exited early, or did not become ready in time."""


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


_LIBC = _libc() if os.uname().sysname == "Linux" else None


def _make_preexec(parent_pid: int) -> Callable[[], None] | None:
    """A preexec_fn that asks Linux to SIGTERM the child when its parent dies."""
    if _LIBC is None:
        return None
    libc = _LIBC  # resolved before fork: nothing but a syscall may run in the child

    def preexec() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        # The parent may have died between fork() and prctl(); then no signal would ever come.
        if os.getppid() != parent_pid:
            os._exit(1)

    return preexec


class _Spawner:
    """One long-lived thread that performs every fork.

    PR_SET_PDEATHSIG fires when the *thread* that forked the child exits, not the process. Forking from a
    short-lived thread (a request handler, a thread pool worker) would kill the child with it, so all
    children are forked here, from a daemon thread that lives as long as the interpreter.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], queue.SimpleQueue[Any]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def run(self, fn: Callable[[], Any]) -> Any:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="process-spawner", daemon=True)
                self._thread.start()
        reply: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._jobs.put((fn, reply))
        ok, value = reply.get()
        if not ok:
            raise value
        return value

    def _loop(self) -> None:
        while True:
            fn, reply = self._jobs.get()
            try:
                reply.put((True, fn()))
            except BaseException as exc:  # noqa: BLE001  (every failure goes back to the caller's thread)
                reply.put((False, exc))


_spawner = _Spawner()


class ManagedProcess:
    """A child process with captured output, readiness waiting, pause/resume and a guaranteed stop."""

    def __init__(
        self,
        name: str,
        argv: list[str],
        env: dict[str, str] | None = None,
        log_path: Path | None = None,
        cwd: Path | None = None,
        stdin_pipe: bool = False,
        inherit_output: bool = False,
    ) -> None:
        """argv is run without a shell; env entries are added to (not replacing) os.environ.

        inherit_output: the child writes to this process's stdout and stderr (a supervisor under honcho or
        docker, whose log collects its children's) instead of a log file; output() and tail() are empty."""
        self.name = name
        self.argv = [str(a) for a in argv]
        self.env = env
        self.cwd = cwd
        self.stdin_pipe = stdin_pipe
        self.inherit_output = inherit_output
        self._own_log = log_path is None
        self.log_path = Path(log_path) if log_path is not None else None
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_start = 0  # offset of this run's output in the (append-mode) log
        self._lock = threading.Lock()
        self._final_tail = ""

    def __repr__(self) -> str:
        return f"<ManagedProcess {self.name} pid={self.pid} running={self.is_running()}>"

    @property
    def pid(self) -> int | None:
        """PID of the current (or last) run, None before start()."""
        return self._popen.pid if self._popen is not None else None

    @property
    def returncode(self) -> int | None:
        """Exit status once exited (negative = killed by that signal), else None."""
        return self._popen.poll() if self._popen is not None else None

    def is_running(self) -> bool:
        """True while the child has not exited (a paused child is running)."""
        return self._popen is not None and self._popen.poll() is None

    def start(self) -> ManagedProcess:
        """Start the child; a no-op when it already runs."""
        with self._lock:
            if self.is_running():
                return self
            if self.inherit_output:
                self._spawn(None)
                return self
            if self.log_path is None:
                fd, path = tempfile.mkstemp(prefix=f"{_safe(self.name)}-", suffix=".log")
                os.close(fd)
                self.log_path = Path(path)
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            if self.log_path.exists() and self.log_path.stat().st_size > _MAX_LOG_BYTES:
                self.log_path.replace(self.log_path.with_name(self.log_path.name + ".1"))
            with open(self.log_path, "ab") as log:
                self._log_start = log.tell()
                self._spawn(log)
            return self

    def _spawn(self, log: Any) -> None:
        """Fork the child (from the spawner thread) writing to `log`, or to our own output when None."""
        env = None if self.env is None else {**os.environ, **self.env}
        preexec = _make_preexec(os.getpid())

        def spawn() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT if log is not None else None,
                env=env,
                cwd=self.cwd,
                close_fds=True,
                # Own process group: a terminal's Ctrl-C reaches only the parent, which then
                # stops children in order instead of having them die mid-write.
                process_group=0,
                preexec_fn=preexec,
            )

        try:
            self._popen = _spawner.run(spawn)
        except OSError as exc:
            raise ProcessError(f"{self.name}: cannot run {self.argv[0]}: {exc}") from exc
        self._final_tail = ""
        with _registry_lock:
            _running.add(self)

    def stop(self, timeout: float = 5.0) -> int | None:
        """SIGTERM, wait up to timeout, then SIGKILL; returns the exit status. Idempotent."""
        with self._lock:
            p = self._popen
            if p is None:
                return None
            if p.poll() is None:
                self._signal(signal.SIGTERM)
                self._signal(signal.SIGCONT)  # a paused child cannot act on SIGTERM until continued
                try:
                    p.wait(timeout)
                except subprocess.TimeoutExpired:
                    self._signal(signal.SIGKILL)
                    p.wait()
            self._finish()
            return p.returncode

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send sig to the child only (never its group); reaped by the next stop()/wait()."""
        self._signal(sig)

    def pause(self) -> None:
        """SIGSTOP: the child keeps its sockets open but stops answering, like a hung camera."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        """SIGCONT after pause()."""
        self._signal(signal.SIGCONT)

    def wait(self, timeout: float | None = None) -> int | None:
        """Wait for the child to exit; returns its status or None on timeout."""
        if self._popen is None:
            return None
        try:
            code = self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        with self._lock:
            self._finish()
        return code

    def send_line(self, line: str) -> None:
        """Write one line to the child's stdin (requires stdin_pipe=True)."""
        if self._popen is None or self._popen.stdin is None:
            raise ProcessError(f"{self.name}: no stdin pipe")
        self._popen.stdin.write(line.rstrip("\n").encode() + b"\n")
        self._popen.stdin.flush()

    def output(self) -> str:
        """Everything this run has logged so far."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(self._log_start)
            return f.read().decode(errors="replace")

    def tail(self, lines: int = 20) -> str:
        """The last lines of this run's output, for error messages."""
        if self._final_tail:
            text = self._final_tail
        elif self.log_path is None or not self.log_path.exists():
            return ""
        else:
            with open(self.log_path, "rb") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(max(self._log_start, size - _TAIL_BYTES))
                text = f.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def log_position(self) -> int:
        """Current end of the log, to pass as wait_for_line(since=...) before triggering new output."""
        if self.log_path is None or not self.log_path.exists():
            return self._log_start
        return self.log_path.stat().st_size

    def wait_for_line(self, pattern: str | re.Pattern[str], timeout: float, since: int | None = None) -> re.Match[str]:
        """Block until this run's output (from since, a log_position()) has a line matching pattern.

        Raises ProcessError when the child exits first or timeout seconds pass.
        """
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        pos, partial = max(self._log_start, since or 0), b""
        while True:
            exited = not self.is_running()  # read the state before the output, so no final line is missed
            if self.log_path is not None and self.log_path.exists():
                with open(self.log_path, "rb") as f:
                    f.seek(pos)
                    chunk = f.read()
                pos += len(chunk)
                *lines, partial = (partial + chunk).split(b"\n")
                if exited:  # the last line may lack its newline
                    lines.append(partial)
                for line in lines:
                    m = rx.search(line.decode(errors="replace"))
                    if m:
                        return m
            if exited:
                raise ProcessError(
                    f"{self.name} exited with status {self.returncode} before printing /{rx.pattern}/:\n{self.tail()}"
                )
            if time.monotonic() >= deadline:
                raise ProcessError(f"{self.name}: no /{rx.pattern}/ within {timeout:g} s:\n{self.tail()}")
            time.sleep(0.02)

    def _signal(self, sig: int) -> None:
        # Popen.send_signal polls first, so a reaped child's PID (possibly reused) is never signalled.
        if self._popen is not None:
            with contextlib.suppress(ProcessLookupError):
                self._popen.send_signal(sig)

    def _finish(self) -> None:
        with _registry_lock:
            _running.discard(self)
        if self._popen is not None and self._popen.stdin is not None:
            with contextlib.suppress(OSError):
                self._popen.stdin.close()
        if self._own_log and self.log_path is not None and self.log_path.exists():
            self._final_tail = "\n".join(self.output().splitlines()[-200:])
            self.log_path.unlink(missing_ok=True)
            self.log_path = None


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:40] or "process"


def stop_together(procs: Iterable[ManagedProcess], timeout: float = 5.0) -> None:
    """SIGTERM all at once (so N children shut down in parallel, not N x timeout), wait up to `timeout`
    for all of them, then SIGKILL stragglers."""
    procs = list(procs)
    for p in procs:
        p._signal(signal.SIGTERM)
        p._signal(signal.SIGCONT)  # a paused child cannot act on SIGTERM until continued
    deadline = time.monotonic() + timeout
    for p in procs:
        p.wait(max(0.0, deadline - time.monotonic()))
    for p in procs:
        p.stop(timeout=1.0)


def stop_all(timeout: float = 5.0) -> None:
    """Stop every still-running ManagedProcess together."""
    with _registry_lock:
        procs = [p for p in _running if p.is_running()]
    stop_together(procs, timeout)


atexit.register(stop_all)
