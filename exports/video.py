"""Video by stream copy: the recorded packets of a range, unchanged, joined across segments into one file.

Packets are copied as they are (no decode, no re-encode); only their timestamps are rebased so that the
file starts at zero and runs on across segment boundaries. H.264 and H.265 go into fragmented MP4 (an
empty index first, then one fragment per keyframe interval: written front to back in one pass, so it can
go straight into the package while it is hashed, and a player starts at once); anything else
(Motion-JPEG) stays in Matroska, as recorded.
The range starts at the keyframe at or before the requested start (a picture cannot start without one)
and ends with the last packet before the requested end.
"""

import hashlib
import io
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
from django.utils.translation import gettext as _

from recordings.capture import storage
from recordings.models import Segment

MP4_CODECS = frozenset({"h264", "hevc"})
# Fragmented MP4: `empty_moov` puts the (empty) index first, each keyframe starts a fragment that carries
# its own index, `default_base_moof` keeps the fragments self-contained. Nothing is rewritten after it
# is written (no mdat size patched, no +faststart second pass over the file), which is what lets the
# video be written once, straight into the zip, hashed on the way.
FRAGMENTED_MP4 = {"movflags": "frag_keyframe+empty_moov+default_base_moof"}
# The muxer's output buffer: fragments (one per keyframe interval) are flushed as they end; a large
# buffer only saves calls when several fragments fit.
OUTPUT_BUFFER = 1 << 20
# Source hashes queued at most this many segments behind the copy (each holds its segment's bytes).
HASH_BACKLOG = 16


class VideoError(Exception):
    """The footage could not be copied; the message is safe to show."""


@dataclass(frozen=True)
class Packet:
    """A packet of a segment, with the instant it shows (UTC)."""

    packet: av.Packet
    at: datetime
    segment: Segment


@dataclass
class CopyResult:
    """What was written: the instants of the first and last packet, and the segments used."""

    actual_start: datetime
    actual_end: datetime
    packets: int
    segments: list[Segment] = field(default_factory=list)
    # The SHA-256 of every source file read (by segment id), from the same bytes the packets came from.
    source_sha256: dict[int, str] = field(default_factory=dict)


def output_format(codec: str) -> tuple[str, str]:
    """The container (format, suffix) of a camera's exported file."""
    return ("mp4", ".mp4") if codec in MP4_CODECS else ("matroska", ".mkv")


# Probing a segment decodes its first frames to learn the codec's parameters: needed once per camera (the
# output stream is made from the first segment), skipped for the others, where it was half the time.
QUICK_OPEN = {"probesize": "32768", "analyzeduration": "0"}
# ... and without decoding a picture (the stream's parameters come from the parser): opening a segment
# then costs under a millisecond instead of ten, which for an hour's 900 segments per camera was most of
# the copy's time. Packets are demuxed, never decoded, so nothing else changes.
QUICK_STREAM = [{"skip_frame": "all"}]
# The recorder's containers by suffix: naming the demuxer skips probing the format of every segment.
DEMUXERS = {".ts": "mpegts", ".mkv": "matroska"}


def _read(segment: Segment) -> bytes:
    """The segment file's bytes: read once, then both hashed and demuxed (a second read cost as much as cat)."""
    try:
        return storage.segment_file(segment.node, segment.path).read_bytes()
    except OSError as exc:
        raise VideoError(_("segment %(path)s cannot be read") % {"path": segment.path}) from exc


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()  # releases the GIL: runs beside the demuxing and muxing


def _timed_packets(
    segment: Segment, data: bytes, *, probe: bool = True
) -> Iterator[tuple[av.Packet, float, av.video.stream.VideoStream]]:
    """A segment's video packets with their time in seconds since the segment's indexed start (its first
    packet, as the indexer read it from the same file). Seconds as floats, not datetimes: one datetime per
    packet was most of the copy's Python time."""
    demuxer = DEMUXERS.get(Path(segment.path).suffix)
    try:
        quick = {} if probe else {"options": QUICK_OPEN, "stream_options": QUICK_STREAM}
        container = av.open(io.BytesIO(data), format=demuxer, **quick)
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoError(_("segment %(path)s cannot be read") % {"path": segment.path}) from exc
    with container:
        if not container.streams.video:
            raise VideoError(_("segment %(path)s has no video") % {"path": segment.path})
        stream = container.streams.video[0]
        tick = float(stream.time_base)
        first = None
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            if first is None:
                first = packet.pts
            yield packet, (packet.pts - first) * tick, stream


def copy_range(
    segments: Sequence[Segment],
    *,
    start: datetime,
    end: datetime,
    out: Callable[[datetime], Path | Any],
    on_segment: Callable[[int], None] = lambda done: None,
) -> CopyResult:
    """Copy the packets of `segments` (one camera's, in order) from the keyframe at or before `start` to the
    last packet before `end`; `on_segment(n)` after each segment read (progress). `out(actual_start)` says
    where, once the first packet's instant is known (file names carry it): a path, or a write-only stream
    (any object with `write(bytes)`; written front to back, and closed with the container if it has
    `close()`)."""
    if not segments:
        raise VideoError(_("no footage in this range"))
    missing = [s.path for s in segments if not storage.segment_file(s.node, s.path).exists()]
    if missing:
        raise VideoError(_("segment %(path)s is not on this server") % {"path": missing[0]})
    changed = next((s for s in segments if s.codec != segments[0].codec), None)
    if changed is not None:
        # One file holds one stream: packets of another codec cannot be copied into it.
        raise VideoError(
            _(
                "the camera's codec changes within the range (from %(old)s to %(new)s at %(at)s UTC); "
                "export the two parts separately"
            )
            % {"old": segments[0].codec, "new": changed.codec, "at": f"{changed.start:%Y-%m-%d %H:%M:%S}"}
        )
    fmt, _suffix = output_format(segments[0].codec)
    options = FRAGMENTED_MP4 if fmt == "mp4" else {}

    def open_output(actual_start: datetime) -> av.container.OutputContainer:
        target = out(actual_start)
        target = str(target) if isinstance(target, Path) else target
        return av.open(target, "w", format=fmt, options=options, buffer_size=OUTPUT_BUFFER)

    hashes: dict[int, Future[str]] = {}
    backlog: deque[Future[str]] = deque()
    writer = _Writer(open_output)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-source-hash") as hasher:
        try:
            for n, segment in enumerate(segments):
                data = _read(segment)
                # Every source file is re-hashed (a file changed since it was indexed is reported), on the
                # other core while its packets are copied, from the very bytes demuxed.
                if len(backlog) >= HASH_BACKLOG:
                    backlog.popleft().result()
                hashes[segment.pk] = hasher.submit(_sha256, data)
                backlog.append(hashes[segment.pk])
                _copy_segment(writer, segment, data, start=start, end=end)
                on_segment(n + 1)
            result = writer.finish()
        finally:
            writer.close()
        if result is None:
            raise VideoError(_("no footage in this range"))
        result.source_sha256 = {pk: digest.result() for pk, digest in hashes.items()}
    return result


def _copy_segment(writer: "_Writer", segment: Segment, data: bytes, *, start: datetime, end: datetime) -> None:
    # The range's edges in this segment's own seconds.
    after = (start - segment.start).total_seconds()
    until = (end - segment.start).total_seconds()
    for packet, seconds, in_stream in _timed_packets(segment, data, probe=writer.stream is None):
        if seconds >= until:
            break
        if writer.stream is None:
            # The keyframe at or before the start (or the first keyframe, when the footage begins later):
            # kept with the packets after it until the start is reached.
            if packet.is_keyframe and (seconds <= after or not writer.pending):
                writer.pending = [(packet, seconds, segment)]
            elif writer.pending:
                writer.pending.append((packet, seconds, segment))
            if seconds >= after and writer.pending:
                writer.begin(in_stream)
        else:
            writer.write(packet, seconds, segment)


class _Writer:
    """Writes packets with timestamps rebased to the file's start; decode timestamps stay strictly
    increasing even where two segments' indexed instants overlap by a few milliseconds."""

    def __init__(self, open_output: Callable[[datetime], av.container.OutputContainer]) -> None:
        self._open_output = open_output
        self.output: av.container.OutputContainer | None = None
        self.stream: av.video.stream.VideoStream | None = None
        self.result: CopyResult | None = None
        self.pending: list[tuple[av.Packet, float, Segment]] = []
        self._rate = 0.0
        self._last_dts: int | None = None
        self._segment: Segment | None = None
        self._shift = 0.0  # the current segment's start, in seconds after the file's first packet
        self._last: tuple[Segment, float] | None = None
        self._latest = float("-inf")

    def begin(self, template: av.video.stream.VideoStream) -> None:
        _packet, seconds, segment = self.pending[0]
        first = segment.start + timedelta(seconds=seconds)
        self.result = CopyResult(actual_start=first, actual_end=first, packets=0)
        self.output = self._open_output(first)
        # H.265 keeps the hev1 tag: hvc1 would move the parameter sets out of the packets.
        self.stream = self.output.add_stream_from_template(template)
        time_base: Fraction = template.time_base
        self._rate = time_base.denominator / time_base.numerator
        queued, self.pending = self.pending, []
        for packet, seconds, segment in queued:
            self.write(packet, seconds, segment)

    def write(self, packet: av.Packet, seconds: float, segment: Segment) -> None:
        result = self.result
        if segment is not self._segment:
            self._segment = segment
            self._shift = (segment.start - result.actual_start).total_seconds()
            result.segments.append(segment)
        offset = packet.dts - packet.pts if packet.dts is not None else 0
        pts = round((self._shift + seconds) * self._rate)
        dts = pts + offset
        if self._last_dts is not None and dts <= self._last_dts:
            bump = self._last_dts + 1 - dts
            pts, dts = pts + bump, dts + bump
        packet.pts, packet.dts = pts, dts
        packet.stream = self.stream
        self.output.mux(packet)
        self._last_dts = dts
        result.packets += 1
        if self._shift + seconds > self._latest:
            self._latest, self._last = self._shift + seconds, (segment, seconds)

    def finish(self) -> CopyResult | None:
        """Close the file (its trailer written) and say what is in it: the end is the instant of the latest
        packet written (in that segment's own time)."""
        self.close()
        if self.result is not None and self._last is not None:
            segment, seconds = self._last
            self.result.actual_end = segment.start + timedelta(seconds=seconds)
        return self.result

    def close(self) -> None:
        if self.output is not None:
            output, self.output = self.output, None
            output.close()
