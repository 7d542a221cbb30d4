"""Video work for the browser: a JPEG snapshot of a camera's newest segment (clips are exports: exports/).
Segments are MPEG-TS (.ts: H.264, H.265) or Matroska (.mkv: Motion-JPEG); both are handled."""

import threading
import time
from pathlib import Path

import av
from django.utils.translation import gettext as _

from recordings.capture import storage
from recordings.models import Segment

SNAPSHOT_CACHE_S = 10.0
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
