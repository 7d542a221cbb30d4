"""Venv-side control of simulated RTSP cameras: a GStreamer process per camera, or one shared encoder."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path
from urllib.parse import quote

from birzai_vms.processes import ManagedProcess, ProcessError
from simulator.kinds import DEFAULT_KIND, KINDS

# Debian's Python, the only one with `gi` (python3-gi); $SIMULATOR_PYTHON overrides it (simulator_python()).
SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = Path(__file__).with_name("rtsp_camera.py")
# Exactly what the simulator needs on Debian 12 (bookworm); gir1.2-gst-rtsp-server-1.0 pulls in
# libgstrtspserver-1.0-0 and the Gst typelibs. The font is for textoverlay (a slim image has none).
DEBIAN_PACKAGES = (
    "python3-gi",
    "gir1.2-gst-rtsp-server-1.0",
    "gstreamer1.0-plugins-base",
    "gstreamer1.0-plugins-good",
    "gstreamer1.0-plugins-bad",
    "gstreamer1.0-plugins-ugly",
    "gstreamer1.0-x",
    "fonts-dejavu-core",
)
_UNAVAILABLE_EXIT = 3  # rtsp_camera.py's exit status when gi or a GStreamer element is missing


class SimulatorUnavailable(RuntimeError):
    """The system Python or its GStreamer packages needed by the simulator are missing."""


def simulator_python() -> str:
    """The interpreter that runs rtsp_camera.py: $SIMULATOR_PYTHON, else SYSTEM_PYTHON."""
    return os.environ.get("SIMULATOR_PYTHON") or SYSTEM_PYTHON


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_port_range(count: int, host: str = "127.0.0.1", start: int = 20000, stop: int = 60000) -> int:
    """The first of count consecutive TCP ports that are all free right now."""
    port = start
    while port + count <= stop:
        for p in range(port, port + count):
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
                try:
                    s.bind((host, p))
                except OSError:
                    port = p + 1
                    break
        else:
            return port
    raise OSError(f"no {count} consecutive free ports in {start}-{stop}")


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    """True if a TCP connection to host:port succeeds now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _check_python(python: str) -> None:
    if not (os.path.isfile(python) and os.access(python, os.X_OK)):
        raise SimulatorUnavailable(
            f"simulator Python {python!r} not found; install Debian's python3 and "
            f"{' '.join(DEBIAN_PACKAGES)}"
            " (or set SIMULATOR_PYTHON to a Python that can import gi with GstRtspServer)"
        )


def _raise_start_error(proc: ManagedProcess, exc: ProcessError) -> None:
    """Turn the script's UNAVAILABLE exit into SimulatorUnavailable, anything else into ProcessError."""
    if proc.returncode == _UNAVAILABLE_EXIT or "UNAVAILABLE" in proc.tail():
        lines = [ln for ln in proc.tail(50).splitlines() if ln.startswith("UNAVAILABLE")]
        detail = lines[-1].removeprefix("UNAVAILABLE ").split("; install")[0] if lines else proc.tail()
        raise SimulatorUnavailable(
            f"RTSP simulator cannot run under {proc.argv[0]}: {detail}. "
            f"Debian packages needed: {' '.join(DEBIAN_PACKAGES)}"
        ) from exc
    raise exc


class _SimulatorProcess:
    """Shared plumbing: build argv, start, wait for READY and for the first port to accept."""

    host: str
    port: int
    proc: ManagedProcess | None

    def _argv(self) -> list[str]:
        raise NotImplementedError

    def _stream_argv(self) -> list[str]:
        """The rtsp_camera.py options every kind of simulator passes: address, picture, credentials."""
        argv = [
            "--address",
            self.host,
            "--port",
            str(self.port),
            "--path",
            self.path,
            "--name",
            self.name,
            "--width",
            str(self.width),
            "--height",
            str(self.height),
            "--fps",
            str(self.fps),
            "--bitrate-kbps",
            str(self.bitrate_kbps),
            "--keyframe-seconds",
            str(self.keyframe_seconds),
        ]
        if self.user is not None:
            argv += ["--user", self.user, "--password", self.password or ""]
        return argv

    def _new_process(self, name: str, log_path: Path | None, stdin_pipe: bool = False) -> ManagedProcess:
        python = simulator_python()
        _check_python(python)
        # -u: unbuffered, so READY and errors reach the log at once even if the script forgets to flush.
        return ManagedProcess(
            name, [python, "-u", str(SCRIPT), *self._argv()], log_path=log_path, stdin_pipe=stdin_pipe
        )

    def _wait_ready(self, timeout: float) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        try:
            self.proc.wait_for_line(r"^READY ", timeout)
        except ProcessError as exc:
            self.proc.stop()
            _raise_start_error(self.proc, exc)
        while not port_accepts(self.host, self.port):
            if time.monotonic() >= deadline or not self.proc.is_running():
                self.proc.stop()
                raise ProcessError(f"{self.proc.name}: port {self.port} not accepting:\n{self.proc.tail()}")
            time.sleep(0.02)

    @property
    def pid(self) -> int | None:
        """PID of the simulator process, None when not started."""
        return self.proc.pid if self.proc is not None else None

    def is_running(self) -> bool:
        """True while the simulator process lives (also when paused)."""
        return self.proc is not None and self.proc.is_running()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the process (SIGTERM, then SIGKILL); idempotent."""
        if self.proc is not None:
            self.proc.stop(timeout)

    def pause(self) -> None:
        """SIGSTOP the server: connections stay open but nothing is sent or answered (a hung camera)."""
        if self.proc is not None:
            self.proc.pause()

    def resume(self) -> None:
        """SIGCONT after pause()."""
        if self.proc is not None:
            self.proc.resume()

    def tail(self, lines: int = 20) -> str:
        """Last lines of the simulator's output."""
        return self.proc.tail(lines) if self.proc is not None else ""

    def __enter__(self) -> _SimulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SimulatedCamera(_SimulatorProcess):
    """One simulated camera: its own rtsp_camera.py process and encoder at rtsp://host:port/path."""

    def __init__(
        self,
        name: str,
        port: int,
        path: str = "/live",
        user: str | None = None,
        password: str | None = None,
        audio_only: bool = False,
        kind: str = DEFAULT_KIND,
        width: int = 1280,
        height: int = 720,
        fps: int = 12,
        bitrate_kbps: int = 1500,
        keyframe_seconds: float = 2.0,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
    ) -> None:
        self.name, self.port, self.path, self.host = name, port, path, host
        if kind not in KINDS:
            raise ValueError(f"unknown camera kind {kind!r}; kinds: {', '.join(KINDS)}")
        if audio_only:  # the older spelling of kind="audio-only"
            if kind not in (DEFAULT_KIND, "audio-only"):
                raise ValueError(f"audio_only=True contradicts kind={kind!r}")
            kind = "audio-only"
        self.user, self.password, self.kind = user, password, kind
        self.width, self.height, self.fps = width, height, fps
        self.bitrate_kbps, self.keyframe_seconds = bitrate_kbps, keyframe_seconds
        self.log_path = log_path
        self.proc: ManagedProcess | None = None

    def __repr__(self) -> str:
        return f"<SimulatedCamera {self.name!r} {self.kind} {self.url} running={self.is_running()}>"

    @property
    def audio_only(self) -> bool:
        """True for the audio-only kind."""
        return self.kind == "audio-only"

    @property
    def url(self) -> str:
        """RTSP URL without credentials."""
        return f"rtsp://{self.host}:{self.port}{self.path}"

    def url_with_credentials(self, user: str | None = None, password: str | None = None) -> str:
        """RTSP URL with user:password@ (the camera's own unless given), for readers that take them inline."""
        user = self.user if user is None else user
        password = self.password if password is None else password
        if user is None:
            return self.url
        auth = f"{quote(user, safe='')}:{quote(password or '', safe='')}"
        return f"rtsp://{auth}@{self.host}:{self.port}{self.path}"

    def _argv(self) -> list[str]:
        return self._stream_argv() + ["--kind", self.kind]

    def launch(self) -> None:
        """Start the process without waiting (start many, then wait_ready() each)."""
        if self.is_running():
            return
        if self.proc is None:
            self.proc = self._new_process(f"rtsp-camera-{self.port}", self.log_path)
        self.proc.start()

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait for READY and an accepting port; SimulatorUnavailable/ProcessError on failure."""
        self._wait_ready(timeout)

    def start(self, timeout: float = 10.0) -> SimulatedCamera:
        """Start and wait until the server accepts connections."""
        self.launch()
        self.wait_ready(timeout)
        return self

    def restart(self, timeout: float = 10.0) -> SimulatedCamera:
        """Stop and start again on the same port (a camera reboot)."""
        self.stop()
        return self.start(timeout)


class SharedEncoderCameras(_SimulatorProcess):
    """count cameras at rtsp://host:{base_port+k-1}/path (k = 1..count) fed by ONE encoder in one process."""

    def __init__(
        self,
        count: int,
        base_port: int,
        path: str = "/live",
        name: str = "Shared encoder",
        user: str | None = None,
        password: str | None = None,
        width: int = 1280,
        height: int = 720,
        fps: int = 12,
        bitrate_kbps: int = 1500,
        keyframe_seconds: float = 2.0,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
    ) -> None:
        self.count, self.port, self.path, self.name, self.host = count, base_port, path, name, host
        self.user, self.password = user, password
        self.width, self.height, self.fps = width, height, fps
        self.bitrate_kbps, self.keyframe_seconds = bitrate_kbps, keyframe_seconds
        self.log_path = log_path
        self.proc: ManagedProcess | None = None

    def url(self, k: int) -> str:
        """URL of camera k (1-based)."""
        if not 1 <= k <= self.count:
            raise IndexError(k)
        return f"rtsp://{self.host}:{self.port + k - 1}{self.path}"

    @property
    def urls(self) -> list[str]:
        """URLs of all cameras, camera 1 first."""
        return [self.url(k) for k in range(1, self.count + 1)]

    def _argv(self) -> list[str]:
        return self._stream_argv() + ["--mounts", str(self.count), "--control-stdin"]

    def start(self, timeout: float = 15.0) -> SharedEncoderCameras:
        """Start the process (all ports open) and wait until it accepts connections."""
        if not self.is_running():
            if self.proc is None:
                self.proc = self._new_process(f"rtsp-shared-{self.port}", self.log_path, stdin_pipe=True)
            self.proc.start()
            self._wait_ready(timeout)
        return self

    def _command(self, verb: str, k: int, timeout: float) -> None:
        if not 1 <= k <= self.count:
            raise IndexError(k)
        if self.proc is None or not self.proc.is_running():
            raise ProcessError("shared-encoder simulator is not running")
        since = self.proc.log_position()
        self.proc.send_line(f"{verb} {k}")
        done = {"stop": "STOPPED", "start": "STARTED"}[verb]
        self.proc.wait_for_line(rf"^{done} {k}$", timeout, since=since)

    def stop_camera(self, k: int, timeout: float = 5.0) -> None:
        """Close camera k's port and drop its readers (connection refused afterwards)."""
        self._command("stop", k, timeout)

    def start_camera(self, k: int, timeout: float = 5.0) -> None:
        """Reopen camera k's port."""
        self._command("start", k, timeout)
