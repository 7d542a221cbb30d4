"""Where segment files live, how they are named, and what is inside one."""

import hashlib
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import av
from django.conf import settings

from birzai_vms import params

_NAME = re.compile(r"^([0-9]{8}T[0-9]{6}\.[0-9]{6})Z\.(ts|mkv)$")
_NAME_FORMAT = "%Y%m%dT%H%M%S.%f"


@dataclass(frozen=True)
class Container:
    """The file format a codec is stored in: the packets as the camera sent them, nothing re-encoded."""

    format: str
    suffix: str
    options: tuple[tuple[str, str], ...]


# MPEG-TS carries H.264 and H.265 and plays in HLS as it is. Anything else (Motion-JPEG above all,
# which MPEG-TS can only carry as opaque private data) goes into Matroska, written as a live stream (no
# index to patch at the end), which ffmpeg and PyAV read back even when cut short. Neither flushes per
# packet: the session flushes the file at least every FLUSH_SECONDS (session.py), so a killed recorder
# leaves a file that plays up to its last flush, and a camera costs two writes a second, not one per frame.
MPEG_TS = Container("mpegts", ".ts", (("flush_packets", "0"),))
MATROSKA = Container("matroska", ".mkv", (("flush_packets", "0"), ("live", "1")))
_TS_CODECS = frozenset({"h264", "hevc", "mpeg2video", "mpeg4"})


def container_for(codec: str) -> Container:
    return MPEG_TS if codec in _TS_CODECS else MATROSKA


def camera_dir(camera_id: int) -> Path:
    return settings.RECORDINGS_ROOT / str(camera_id)


def segment_relpath(camera_id: int, start: datetime, suffix: str = MPEG_TS.suffix) -> str:
    """<camera>/<YYYY>/<MM>/<DD>/<HH>/<start, UTC to the microsecond>Z.ts|.mkv; the name gives the start."""
    start = start.astimezone(UTC)
    return f"{camera_id}/{start:%Y/%m/%d/%H}/{start.strftime(_NAME_FORMAT)}Z{suffix}"


def start_from_name(name: str) -> datetime | None:
    match = _NAME.match(name)
    if not match:
        return None
    try:
        start = datetime.strptime(match.group(1), _NAME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None  # 20261301T..., not a moment
    # A start near year 1 or 9999 is no recording of ours, and its end or day would overflow.
    return start if params.within_bounds(start) else None


def absolute(relpath: str) -> Path:
    """A file of this node's own recordings (what its recorders write and its reconciler scans)."""
    return settings.RECORDINGS_ROOT / relpath


def root_of(node: str) -> Path:
    """Where the recordings of capture node `node` are, as this server sees them (docs/nodes.md): this
    node's own RECORDINGS_ROOT, another node's root from RECORDINGS_ROOTS (an NFS mount of it), or, for a
    node not listed, RECORDINGS_ROOT (one storage that every node writes to)."""
    if node == settings.NODE_NAME:
        return settings.RECORDINGS_ROOT
    return settings.RECORDINGS_ROOTS.get(node, settings.RECORDINGS_ROOT)


def segment_file(node: str, relpath: str) -> Path:
    """The file of a segment row (its `node` and `path`): the one way playback, exports, retention and
    integrity find footage, whichever node recorded it."""
    return root_of(node) / relpath


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ProbedSegment:
    """What a segment file holds, read back from the file itself."""

    duration: timedelta
    codec: str
    width: int
    height: int


class UnreadableSegment(Exception):
    """The file is not a playable video segment."""


def probe(path: Path) -> ProbedSegment:
    """Duration from the first to past the last video packet (imageio's ffmpeg has no ffprobe)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise UnreadableSegment("no video stream")
            stream = container.streams.video[0]
            first = last = None
            step = 0
            for packet in container.demux(stream):
                if packet.pts is None:
                    continue
                if first is None:
                    first = packet.pts
                if last is None or packet.pts > last:
                    step = packet.pts - last if last is not None else 0
                    last = packet.pts
            if first is None:
                raise UnreadableSegment("no video packets")
            seconds = float((last - first + step) * stream.time_base)
            ctx = stream.codec_context
            return ProbedSegment(timedelta(seconds=seconds), stream.codec_context.name, ctx.width, ctx.height)
    except av.error.FFmpegError as exc:
        raise UnreadableSegment(exc.strerror or type(exc).__name__) from exc


def segment_files(camera_id: int, since: datetime | None) -> list[Path]:
    """The camera's segment files whose hour folder is at or after `since`'s hour, oldest first."""
    root = camera_dir(camera_id)
    if not root.is_dir():
        return []
    floor = since.astimezone(UTC).replace(minute=0, second=0, microsecond=0) if since else None
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        rel = Path(dirpath).relative_to(root).parts
        if floor and len(rel) == 4:
            hour = datetime(*map(int, rel), tzinfo=UTC)
            if hour < floor:
                dirnames.clear()
                continue
        found.extend(Path(dirpath) / name for name in sorted(filenames) if _NAME.match(name))
    return found
