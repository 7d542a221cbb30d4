"""Probing a camera's stream before it is recorded: what it offers, or why it cannot be read."""

import time
from dataclasses import dataclass

import av
from django.conf import settings

from cameras.models import Camera

from .capture.session import check_address, describe_av_error, rtsp_options


@dataclass(frozen=True)
class ProbeResult:
    """What a camera's stream offers, or why it cannot be read (`error`, safe to show)."""

    ok: bool
    codec: str = ""
    width: int = 0
    height: int = 0
    fps: float | None = None
    error: str = ""

    def __str__(self) -> str:
        if not self.ok:
            return self.error
        fps = f", {self.fps:.1f} fps" if self.fps else ""
        return f"{self.codec.upper()} {self.width}×{self.height}{fps}"


def probe_camera(camera: Camera, *, timeout: float | None = None) -> ProbeResult:
    """Open the camera's stream over TCP and read a few frames' worth of packets."""
    timeout = timeout or settings.CAPTURE_RTSP_TIMEOUT_SECONDS
    if error := check_address(camera.rtsp_url):
        return ProbeResult(ok=False, error=error.message)
    try:
        with av.open(
            camera.connection_url(),
            options=rtsp_options(timeout),
        ) as container:
            if not container.streams.video:
                return ProbeResult(ok=False, error="The stream has no video track.")
            video = container.streams.video[0]
            pts: list[int] = []
            deadline = time.monotonic() + timeout
            for packet in container.demux(video):
                if packet.pts is not None:
                    pts.append(packet.pts)
                if len(pts) >= 10 or time.monotonic() > deadline:
                    break
            fps = _fps(pts, video)
            ctx = video.codec_context
            return ProbeResult(ok=True, codec=ctx.name, width=ctx.width, height=ctx.height, fps=fps)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message; none may show the URL
        message = describe_av_error(exc).message
        for secret in camera.secrets():
            message = message.replace(secret, "***")
        return ProbeResult(ok=False, error=message)


def _fps(pts: list[int], video: av.video.stream.VideoStream) -> float | None:
    ordered = sorted(set(pts))
    if len(ordered) >= 2:
        span = float((ordered[-1] - ordered[0]) * video.time_base)
        if span > 0:
            return (len(ordered) - 1) / span
    rate = video.average_rate or video.guessed_rate
    return float(rate) if rate else None
