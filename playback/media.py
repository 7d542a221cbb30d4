"""Video work for the browser: a JPEG snapshot of a camera's newest segment, an MP4 clip by stream copy.
Segments are MPEG-TS (.ts: H.264, H.265) or Matroska (.mkv: Motion-JPEG); both are handled."""

import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import av
import imageio_ffmpeg
from django.utils.translation import gettext as _

from birzai_vms.processes import ManagedProcess
from recordings.capture import storage
from recordings.models import Segment

SNAPSHOT_CACHE_S = 10.0
MAX_CLIP_SECONDS = 15 * 60
_snapshots: dict[int, tuple[float, int, bytes]] = {}
_snapshot_lock = threading.Lock()


class MediaError(Exception):
    """The video could not be read or written; the message is safe to show."""


def snapshot_jpeg(segment: Segment) -> bytes:
    """The first keyframe of the segment as a small JPEG, cached briefly per camera."""
    now = time.monotonic()
    with _snapshot_lock:
        cached = _snapshots.get(segment.camera_id)
        if cached and cached[1] == segment.pk and now - cached[0] < SNAPSHOT_CACHE_S:
            return cached[2]
    data = _decode_first_frame(storage.segment_file(segment.node, segment.path))
    with _snapshot_lock:
        _snapshots[segment.camera_id] = (now, segment.pk, data)
    return data


def _decode_first_frame(path: Path, width: int = 480) -> bytes:
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.codec_context.skip_frame = "NONKEY"
            for frame in container.decode(stream):
                height = max(2, round(frame.height * width / frame.width / 2) * 2)
                encoder = av.CodecContext.create("mjpeg", "w")
                encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuvj420p"
                encoder.time_base = stream.time_base or av.time_base
                small = frame.reformat(width=width, height=height, format="yuvj420p")
                packets = [*encoder.encode(small), *encoder.encode(None)]
                return b"".join(bytes(p) for p in packets)
    except (av.error.FFmpegError, IndexError, OSError) as exc:
        raise MediaError(_("the newest segment cannot be decoded")) from exc
    raise MediaError(_("the newest segment has no picture"))


def clip_mp4(segments: list[Segment], *, start: datetime, end: datetime, workdir: Path) -> Path:
    """The segments joined by stream copy (no re-encode) into one MP4, trimmed to whole segments."""
    if not segments:
        raise MediaError(_("no footage in this range"))
    paths = [storage.segment_file(s.node, s.path) for s in segments]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise MediaError(_("some footage of this range is not on this server"))
    out = workdir / "clip.mp4"
    if all(p.suffix == storage.MPEG_TS.suffix for p in paths):
        # MPEG-TS files join byte by byte.
        source = ["-i", "concat:" + "|".join(str(p) for p in paths)]
    else:
        # Matroska (Motion-JPEG) files each have their own header: joined by the concat demuxer.
        listing = workdir / "segments.txt"
        listing.write_text("".join(f"file '{_quoted(p)}'\n" for p in paths))
        source = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    # hvc1: the tag players (QuickTime, browsers) expect of H.265 in MP4.
    tag = ["-tag:v", "hvc1"] if segments[0].codec == "hevc" else []
    argv = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-nostdin",
        "-loglevel",
        "error",
        *source,
        "-map",
        "0:v:0",
        "-c",
        "copy",
        *tag,
        "-movflags",
        "+faststart",
        "-f",
        "mp4",
        str(out),
    ]
    process = ManagedProcess("clip", argv, log_path=workdir / "ffmpeg.log").start()
    code = process.wait(timeout=120)
    if code is None:
        process.stop()
        raise MediaError(_("making the clip took too long"))
    if code != 0 or not out.exists():
        raise MediaError(_("the clip could not be made"))
    return out


def _quoted(path: Path) -> str:
    return str(path).replace("'", "'\\''")


def temporary_workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="clip-")
