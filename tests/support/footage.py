"""Recorded footage of any codec made in the test, without a camera or the recorder: frames painted with
the simulator's timecode strip, encoded with PyAV into segment files under RECORDINGS_ROOT (the storage
layout) and indexed as Segment rows. H.265 goes into MPEG-TS (.ts), Motion-JPEG into live Matroska (.mkv),
as the recorder writes them."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from recordings.capture import storage
from recordings.models import Segment
from simulator import timecode_strip as ts
from tests.factories import SegmentFactory

FPS = 10
SEGMENT_SECONDS = 4


@dataclass(frozen=True)
class Codec:
    """How one camera codec is encoded and contained."""

    name: str  # Segment.codec
    encoder: str
    suffix: str
    container: str
    pix_fmt: str
    container_options: dict[str, str]
    codec_options: dict[str, str]


H264 = Codec("h264", "libx264", ".ts", "mpegts", "yuv420p", {}, {"preset": "ultrafast", "g": str(FPS)})
X265_OPTIONS = {"preset": "ultrafast", "x265-params": f"keyint={FPS}:log-level=1"}
HEVC = Codec("hevc", "libx265", ".ts", "mpegts", "yuv420p", {}, X265_OPTIONS)
MJPEG = Codec("mjpeg", "mjpeg", ".mkv", "matroska", "yuvj420p", {"live": "1"}, {"q:v": "3"})


def painted_frame(at: datetime, width: int, height: int) -> np.ndarray:
    """A grey picture with the timecode strip of `at` at the bottom left, as the simulator paints it."""
    gray = np.full((height, width), 96, dtype=np.uint8)
    x0, y0 = ts.strip_origin(width, height)
    gray[y0 - ts.MARGIN : y0 + ts.STRIP_HEIGHT + ts.MARGIN, 0 : x0 + ts.STRIP_WIDTH + ts.MARGIN] = ts.LUMA_QUIET
    millis = round(at.timestamp() * 1000)
    for r, row in enumerate(ts.encode_cells(millis)):
        for c, bit in enumerate(row):
            y, x = y0 + r * ts.BLOCK, x0 + c * ts.BLOCK
            gray[y : y + ts.BLOCK, x : x + ts.BLOCK] = ts.LUMA_WHITE if bit else ts.LUMA_BLACK
    return gray


def write_segment_file(path: Path, codec: Codec, start: datetime, *, seconds: float, width: int, height: int) -> None:
    """One segment: `seconds` of FPS frames from `start`, each carrying its own capture time. Timestamps
    continue from the epoch-based start, as a recorder's stream timestamps run on across segments."""
    path.parent.mkdir(parents=True, exist_ok=True)
    time_base = Fraction(1, 90_000)
    first_pts = round(start.timestamp() % 10_000 * 90_000)
    with av.open(str(path), "w", format=codec.container, options=codec.container_options) as container:
        stream = container.add_stream(codec.encoder, rate=FPS, options=codec.codec_options)
        stream.width, stream.height, stream.pix_fmt = width, height, codec.pix_fmt
        stream.codec_context.time_base = time_base
        for i in range(round(seconds * FPS)):
            at = start + timedelta(seconds=i / FPS)
            luma = painted_frame(at, width, height)
            frame = av.VideoFrame.from_ndarray(luma, format="gray").reformat(format=codec.pix_fmt)
            frame.pts = first_pts + i * 90_000 // FPS
            frame.time_base = time_base
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))


def record_footage(
    camera: object,
    codec: Codec,
    *,
    start: datetime,
    segments: int = 3,
    width: int = 640,
    height: int = 360,
) -> list[Segment]:
    """`segments` contiguous 4 s segments of `camera` from `start`, on disk and in the index."""
    start = start.astimezone(UTC)
    rows = []
    for n in range(segments):
        begin = start + timedelta(seconds=SEGMENT_SECONDS * n)
        relpath = storage.segment_relpath(camera.pk, begin, codec.suffix)
        path = storage.absolute(relpath)
        write_segment_file(path, codec, begin, seconds=SEGMENT_SECONDS, width=width, height=height)
        rows.append(
            SegmentFactory(
                camera=camera,
                start=begin,
                end=begin + timedelta(seconds=SEGMENT_SECONDS),
                path=relpath,
                bytes=path.stat().st_size,
                sha256=storage.sha256_of(path),
                codec=codec.name,
                width=width,
                height=height,
            )
        )
    return rows
