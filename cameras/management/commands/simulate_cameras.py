"""`manage.py simulate_cameras`: run a fleet of simulated RTSP cameras, or control one of its cameras."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from birzai_vms.processes import ProcessError
from simulator.fleet import SharedEncoderCameras, SimulatedCamera, SimulatorUnavailable
from simulator.kinds import FIELD_KINDS

DEFAULT_BASE_PORT = 8600
POLL_SECONDS = 0.25  # how quickly a --stop/--start marker or a dead camera is noticed
CONTROL_TIMEOUT = 15.0
MAX_BACKOFF = 30.0


def state_dir_default() -> Path:
    """settings.VAR_DIR / "simulator" when that setting exists, else ./var/simulator."""
    var_dir = getattr(settings, "VAR_DIR", None)
    return Path(var_dir) / "simulator" if var_dir else Path("var") / "simulator"


def _marker(state_dir: Path, k: int, kind: str) -> Path:
    return state_dir / f"camera-{k:02d}.{kind}"


def _pid_alive_as_fleet(pid: int) -> bool:
    """True if pid is alive and is a simulate_cameras process (not a reused PID)."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"simulate_cameras" in cmdline


@dataclass
class _Slot:
    """Supervisor bookkeeping for camera k."""

    k: int
    name: str
    url: str
    camera: SimulatedCamera | None = None  # None when served by the shared encoder
    state: str = "starting"
    failures: int = 0
    next_try: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


class Command(BaseCommand):
    help = (
        "Run COUNT simulated RTSP cameras, camera k at rtsp://127.0.0.1:{base_port+k}/live, restarting any "
        "that die (--field-kinds adds one camera of every other kind after them, named after its kind); "
        "or control a running fleet: --stop K / --start K (outage of camera K), "
        "--pause K / --resume K (hung camera), --status. Ctrl-C stops all."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=24)
        parser.add_argument(
            "--base-port",
            type=int,
            default=None,
            help=f"camera k listens on base+k (default settings.SIMULATOR_BASE_PORT or {DEFAULT_BASE_PORT})",
        )
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument(
            "--shared-encoder",
            action="store_true",
            help="one encoder for all cameras (same picture everywhere, ~1/COUNT of the CPU)",
        )
        parser.add_argument(
            "--field-kinds",
            action="store_true",
            help="after the COUNT cameras, add one camera of each other kind (own process each, named after "
            f"the kind): {', '.join(FIELD_KINDS)}",
        )
        parser.add_argument("--names", type=Path, help="one camera name per line (else 'Camera NN')")
        parser.add_argument("--width", type=int, default=1280)
        parser.add_argument("--height", type=int, default=720)
        parser.add_argument("--fps", type=int, default=12)
        parser.add_argument("--bitrate-kbps", type=int, default=1500)
        parser.add_argument("--user", help="require RTSP Basic auth with this user (and --password)")
        parser.add_argument("--password")
        parser.add_argument(
            "--state-dir",
            type=Path,
            default=None,
            help="pid/marker files (default VAR_DIR/simulator or ./var/simulator)",
        )
        control = parser.add_mutually_exclusive_group()
        control.add_argument("--stop", type=int, metavar="K", help="stop camera K of the running fleet")
        control.add_argument("--start", type=int, metavar="K", help="start camera K again")
        control.add_argument("--pause", type=int, metavar="K", help="freeze camera K (SIGSTOP: hung camera)")
        control.add_argument("--resume", type=int, metavar="K", help="unfreeze camera K")
        control.add_argument("--status", action="store_true", help="show the running fleet's cameras")

    def handle(self, *args: Any, **o: Any) -> None:
        state_dir: Path = (o["state_dir"] or state_dir_default()).resolve()
        state_dir.mkdir(parents=True, exist_ok=True)
        for verb in ("stop", "start", "pause", "resume"):
            if o[verb] is not None:
                self._control(state_dir, verb, o[verb])
                return
        if o["status"]:
            self._status(state_dir)
            return
        self._run_fleet(state_dir, o)

    # --- control of a running fleet (another process) ---------------------------------------------------

    def _fleet_info(self, state_dir: Path) -> dict[str, Any]:
        try:
            info = json.loads((state_dir / "fleet.json").read_text())
        except (OSError, ValueError):
            info = None
        if not info or not _pid_alive_as_fleet(int(info["pid"])):
            raise CommandError(f"no simulate_cameras fleet is running (state dir {state_dir})")
        return info

    def _control(self, state_dir: Path, verb: str, k: int) -> None:
        info = self._fleet_info(state_dir)
        if not 1 <= k <= info["count"]:
            raise CommandError(f"camera {k} does not exist: the fleet has cameras 1..{info['count']}")
        if verb in ("pause", "resume") and info["shared"] and k <= info.get("shared_count", info["count"]):
            raise CommandError("--pause/--resume need one process per camera (fleet runs --shared-encoder)")
        # The supervisor owns the processes: we only leave a marker and wait for it to act, so no other
        # process ever signals a PID it did not start.
        kind = {"stop": "stopped", "start": "stopped", "pause": "paused", "resume": "paused"}[verb]
        marker = _marker(state_dir, k, kind)
        if verb in ("stop", "pause"):
            marker.write_text(datetime.now(UTC).isoformat())
        else:
            marker.unlink(missing_ok=True)
        want = {"stop": "stopped", "start": "running", "pause": "paused", "resume": "running"}[verb]
        deadline = time.monotonic() + CONTROL_TIMEOUT
        state_file = _marker(state_dir, k, "state")
        while time.monotonic() < deadline:
            try:
                state = json.loads(state_file.read_text())
            except (OSError, ValueError):
                state = {}
            if state.get("state") == want:
                self.stdout.write(f"camera {k} {want}: {state.get('url', '')}")
                return
            time.sleep(0.1)
        raise CommandError(f"camera {k} did not become {want} within {CONTROL_TIMEOUT:g} s (see {state_file})")

    def _status(self, state_dir: Path) -> None:
        info = self._fleet_info(state_dir)
        self.stdout.write(f"fleet pid {info['pid']}, {info['count']} cameras, shared encoder: {info['shared']}")
        for k in range(1, info["count"] + 1):
            try:
                s = json.loads(_marker(state_dir, k, "state").read_text())
            except (OSError, ValueError):
                s = {"state": "unknown"}
            self.stdout.write(
                f"{k:3d}  {s.get('state', '?'):9s} {s.get('url', '')}  {s.get('name', '')}  pid={s.get('pid') or '-'}"
            )

    # --- the supervisor -------------------------------------------------------------------------------

    def _run_fleet(self, state_dir: Path, o: dict[str, Any]) -> None:
        count: int = o["count"]
        if count < 1:
            raise CommandError("--count must be at least 1")
        if (o["user"] is None) != (o["password"] is None):
            raise CommandError("--user and --password go together")
        base_port = o["base_port"]
        if base_port is None:
            base_port = int(getattr(settings, "SIMULATOR_BASE_PORT", DEFAULT_BASE_PORT))
        try:
            info = json.loads((state_dir / "fleet.json").read_text())
            if _pid_alive_as_fleet(int(info["pid"])) and int(info["pid"]) != os.getpid():
                raise CommandError(f"a fleet is already running (pid {info['pid']}); stop it first")
        except (OSError, ValueError, KeyError):
            pass
        names = self._names(o["names"], count)
        # Stale markers from an earlier run would silently keep cameras dark.
        for stale in [
            *state_dir.glob("camera-*.stopped"),
            *state_dir.glob("camera-*.paused"),
            *state_dir.glob("camera-*.state"),
        ]:
            stale.unlink(missing_ok=True)
        common = dict(
            width=o["width"],
            height=o["height"],
            fps=o["fps"],
            bitrate_kbps=o["bitrate_kbps"],
            user=o["user"],
            password=o["password"],
            host=o["host"],
        )
        # camera k on base_port + k, path /live: this scheme is fixed (the seed data points there).
        shared: SharedEncoderCameras | None = None
        slots: list[_Slot] = []
        if o["shared_encoder"]:
            shared = SharedEncoderCameras(
                count,
                base_port + 1,
                name="Simulated camera (shared encoder)",
                log_path=state_dir / "shared-encoder.log",
                **common,
            )
            slots = [_Slot(k, names[k - 1], shared.url(k)) for k in range(1, count + 1)]
        else:
            for k in range(1, count + 1):
                cam = SimulatedCamera(names[k - 1], base_port + k, log_path=state_dir / f"camera-{k:02d}.log", **common)
                slots.append(_Slot(k, names[k - 1], cam.url, camera=cam))
        if o["field_kinds"]:
            # Each kind its own process: only the default kind can share the encoder.
            for k, kind in enumerate(FIELD_KINDS, start=count + 1):
                cam = SimulatedCamera(
                    kind, base_port + k, kind=kind, log_path=state_dir / f"camera-{k:02d}.log", **common
                )
                slots.append(_Slot(k, kind, cam.url, camera=cam))

        stopping = False

        def on_term(signum: int, frame: object) -> None:
            raise KeyboardInterrupt  # SIGTERM (from a supervisor or PDEATHSIG) ends like Ctrl-C: tidy stop

        signal.signal(signal.SIGTERM, on_term)
        (state_dir / "fleet.json").write_text(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "count": len(slots),
                    "shared_count": count if shared is not None else 0,
                    "base_port": base_port,
                    "shared": shared is not None,
                    "started": datetime.now(UTC).isoformat(),
                }
            )
        )
        try:
            self._start_all(slots, shared, state_dir)
            mode = "one shared encoder" if shared else "one encoder per camera"
            field = f" + {len(slots) - count} of other kinds" if len(slots) > count else ""
            self.stdout.write(
                self.style.SUCCESS(
                    f"{count} simulated cameras{field} ({o['width']}x{o['height']}@{o['fps']}, {mode}); "
                    f"control: manage.py simulate_cameras --stop K | --start K | --status; Ctrl-C stops all"
                )
            )
            for s in slots:
                self.stdout.write(f"  {s.k:3d}  {s.url}  {s.name}")
            while True:
                time.sleep(POLL_SECONDS)
                if shared is not None:
                    self._tick_shared(shared, [s for s in slots if s.camera is None], state_dir)
                for s in slots:
                    if s.camera is not None:
                        self._tick(s, state_dir)
        except KeyboardInterrupt:
            stopping = True
        finally:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self._stop_all(slots, shared)
            for f in [state_dir / "fleet.json", *state_dir.glob("camera-*.state")]:
                f.unlink(missing_ok=True)
            if stopping:
                self.stdout.write("simulated cameras stopped")

    @staticmethod
    def _names(path: Path | None, count: int) -> list[str]:
        given: list[str] = []
        if path is not None:
            try:
                given = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
            except OSError as exc:
                raise CommandError(f"cannot read --names {path}: {exc}") from exc
        return [given[k] if k < len(given) else f"Camera {k + 1:02d}" for k in range(count)]

    def _write_state(self, state_dir: Path, s: _Slot, state: str, pid: int | None = None) -> None:
        s.state = state
        tmp = _marker(state_dir, s.k, "state.tmp")
        tmp.write_text(
            json.dumps(
                {
                    "state": state,
                    "url": s.url,
                    "name": s.name,
                    "pid": pid,
                    "since": datetime.now(UTC).isoformat(),
                }
            )
        )
        tmp.replace(_marker(state_dir, s.k, "state"))  # atomic: --stop never reads half a file

    def _start_all(self, slots: list[_Slot], shared: SharedEncoderCameras | None, state_dir: Path) -> None:
        try:
            own = [s for s in slots if s.camera is not None]
            for s in own:  # launch all first: 24 processes start in parallel, not one after another
                assert s.camera is not None
                s.camera.launch()
            if shared is not None:
                shared.start()
                for s in slots:
                    if s.camera is None:
                        self._write_state(state_dir, s, "running", shared.pid)
            for s in own:
                assert s.camera is not None
                try:
                    s.camera.wait_ready(timeout=30)
                    self._write_state(state_dir, s, "running", s.camera.pid)
                except ProcessError as exc:
                    self._failed(s, state_dir, exc)
        except SimulatorUnavailable as exc:
            raise CommandError(str(exc)) from exc

    def _failed(self, s: _Slot, state_dir: Path, exc: Exception) -> None:
        s.failures += 1
        delay = min(MAX_BACKOFF, 0.5 * 2 ** (s.failures - 1))
        s.next_try = time.monotonic() + delay
        self._write_state(state_dir, s, "failed")
        self.stderr.write(f"camera {s.k} ({s.url}) failed, retrying in {delay:.1f} s: {exc}")

    def _tick(self, s: _Slot, state_dir: Path) -> None:
        cam = s.camera
        assert cam is not None
        want_stopped = _marker(state_dir, s.k, "stopped").exists()
        want_paused = _marker(state_dir, s.k, "paused").exists()
        if want_stopped:
            if cam.is_running() or s.state != "stopped":
                cam.stop()
                self._write_state(state_dir, s, "stopped")
                self.stdout.write(f"camera {s.k} stopped on request: {s.url} refuses connections")
            return
        if not cam.is_running():
            if s.state in ("running", "paused"):
                code = cam.proc.returncode if cam.proc else None
                self.stderr.write(f"camera {s.k} died (exit status {code}), restarting:\n{cam.tail(5)}")
                s.next_try = 0.0
            if time.monotonic() < s.next_try:
                return
            try:
                cam.start(timeout=30)
            except ProcessError as exc:
                self._failed(s, state_dir, exc)
                return
            s.failures = 0
            self._write_state(state_dir, s, "running", cam.pid)
            self.stdout.write(f"camera {s.k} started: {s.url}")
        if want_paused and s.state != "paused":
            cam.pause()
            self._write_state(state_dir, s, "paused", cam.pid)
            self.stdout.write(f"camera {s.k} paused (SIGSTOP): connections stay open, nothing is sent")
        elif not want_paused and s.state == "paused":
            cam.resume()
            self._write_state(state_dir, s, "running", cam.pid)
            self.stdout.write(f"camera {s.k} resumed")

    def _tick_shared(self, shared: SharedEncoderCameras, slots: list[_Slot], state_dir: Path) -> None:
        if not shared.is_running():
            code = shared.proc.returncode if shared.proc else None
            self.stderr.write(f"shared-encoder simulator died (exit status {code}), restarting:\n{shared.tail(5)}")
            try:
                shared.start()
            except ProcessError as exc:
                self.stderr.write(f"restart failed: {exc}")
                time.sleep(2)
                return
            for s in slots:
                s.state = "starting"  # all ports are open again; re-apply the stop markers below
        for s in slots:
            want_stopped = _marker(state_dir, s.k, "stopped").exists()
            try:
                if want_stopped and s.state != "stopped":
                    shared.stop_camera(s.k)
                    self._write_state(state_dir, s, "stopped")
                    self.stdout.write(f"camera {s.k} stopped on request: {s.url} refuses connections")
                elif not want_stopped and s.state != "running":
                    shared.start_camera(s.k)
                    self._write_state(state_dir, s, "running", shared.pid)
                    self.stdout.write(f"camera {s.k} started: {s.url}")
            except ProcessError as exc:
                self.stderr.write(f"camera {s.k}: {exc}")

    @staticmethod
    def _stop_all(slots: list[_Slot], shared: SharedEncoderCameras | None) -> None:
        if shared is not None:
            shared.stop()
        cams = [s.camera for s in slots if s.camera is not None and s.camera.is_running()]
        for cam in cams:  # SIGTERM everyone first so they exit in parallel
            if cam.proc is not None:
                cam.proc.kill(signal.SIGTERM)
                cam.proc.resume()
        for cam in cams:
            cam.stop()
