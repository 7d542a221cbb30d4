"""The viewing copy: the evidence file re-encoded to H.264 with the Vilnius date, time and camera name
drawn on every frame. Convenient to watch, but not the recorded packets: named NOT-EVIDENCE."""

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import imageio_ffmpeg
from django.utils.translation import gettext as _

from birzai_vms.processes import ManagedProcess

from .video import VideoError

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
TIMEOUT_S = 6 * 3600


def viewing_copy(source: Path, out: Path, *, camera_name: str, start: datetime, heartbeat: Callable[[], None]) -> None:
    """Re-encode `source` (whose first frame shows `start`) with ffmpeg's drawtext: the frame's local
    time (pts counted from `start`, in Europe/Vilnius through TZ) and the camera's name (from a file, so
    that no character of the name needs escaping)."""
    label = out.with_suffix(".label.txt")
    label.write_text(camera_name)
    epoch = f"{start.timestamp():.6f}"
    font = f"fontfile={FONT}:" if Path(FONT).exists() else ""
    box = "fontcolor=white:fontsize=h/24:box=1:boxcolor=black@0.6:boxborderw=6"
    clock = f"drawtext={font}{box}:x=10:y=10:text='%{{pts\\:localtime\\:{epoch}\\:%Y-%m-%d %H\\\\\\:%M\\\\\\:%S}}'"
    name = f"drawtext={font}{box}:x=10:y=16+h/12:textfile={label}"  # under the clock, clear of the picture's bottom
    argv = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        "-y",
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-vf",
        f"{clock},{name}",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        str(out),
    ]
    process = ManagedProcess("viewing-copy", argv, env={"TZ": "Europe/Vilnius"}, log_path=out.with_suffix(".log"))
    process.start()
    deadline = time.monotonic() + TIMEOUT_S
    try:
        while process.wait(timeout=1.0) is None:
            heartbeat()
            if time.monotonic() > deadline:
                raise VideoError(_("making the viewing copy took too long"))
    finally:
        process.stop()
    if process.returncode != 0 or not out.exists():
        raise VideoError(_("the viewing copy could not be made: %(reason)s") % {"reason": process.tail(3)[-300:]})
    label.unlink(missing_ok=True)
    out.with_suffix(".log").unlink(missing_ok=True)
