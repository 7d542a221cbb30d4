"""Video by stream copy: the recorded packets of a range, unchanged, joined across segments into one file.

Packets are copied as they are (no decode, no re-encode); only their timestamps are rebased so that the
file starts at zero and runs on across segment boundaries. H.264 and H.265 go into MP4 with the index
first (+faststart: a player starts at once); anything else (Motion-JPEG) stays in Matroska, as recorded.
The range starts at the keyframe at or before the requested start (a picture cannot start without one)
and ends with the last packet before the requested end.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from fractions import Fraction
from pathlib import Path

import av
from django.utils.translation import gettext as _

from recordings.capture import storage
from recordings.models import Segment

MP4_CODECS = frozenset({"h264", "hevc"})


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


def output_format(codec: str) -> tuple[str, str]:
    """The container (format, suffix) of a camera's exported file."""
    return ("mp4", ".mp4") if codec in MP4_CODECS else ("matroska", ".mkv")


def _timed_packets(segment: Segment) -> Iterator[tuple[av.Packet, datetime, av.video.stream.VideoStream]]:
    """A segment's video packets with their instants: the segment's indexed start plus the time since its
    first packet (the start the indexer read from the same file)."""
    path = storage.absolute(segment.path)
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        raise VideoError(_("segment %(path)s cannot be read") % {"path": segment.path}) from exc
    with container:
        if not container.streams.video:
            raise VideoError(_("segment %(path)s has no video") % {"path": segment.path})
        stream = container.streams.video[0]
        first = None
        for packet in container.demux(stream):
            if packet.size == 0 or packet.pts is None:
                continue
            if first is None:
                first = packet.pts
            yield packet, segment.start + timedelta(seconds=float((packet.pts - first) * stream.time_base)), stream


def copy_range(
    segments: Sequence[Segment],
    *,
    start: datetime,
    end: datetime,
    out_path: Path,
    on_segment: Callable[[int], None] = lambda done: None,
) -> CopyResult:
    """Copy the packets of `segments` (one camera's, in order) from the keyframe at or before `start` to the
    last packet before `end` into `out_path`; `on_segment(n)` after each segment read (progress)."""
    if not segments:
        raise VideoError(_("no footage in this range"))
    missing = [s.path for s in segments if not storage.absolute(s.path).exists()]
    if missing:
        raise VideoError(_("segment %(path)s is not on this server") % {"path": missing[0]})
    fmt, _suffix = output_format(segments[0].codec)
    options = {"movflags": "+faststart"} if fmt == "mp4" else {}
    # The keyframe at or before the start: segments begin with a keyframe, so it is in the first segment
    # that overlaps the range, or it is the first keyframe of the footage when that begins later.
    with av.open(str(out_path), "w", format=fmt, options=options) as output:
        out_stream = None
        time_base: Fraction | None = None
        result: CopyResult | None = None
        pending: list[tuple[av.Packet, datetime]] = []
        last_dts = None
        for n, segment in enumerate(segments):
            for packet, at, in_stream in _timed_packets(segment):
                if at >= end:
                    break
                if result is None:
                    # Before the first written packet: keep the newest keyframe not after the start.
                    if packet.is_keyframe and (at <= start or not pending):
                        pending = [(packet, at)]
                    elif pending:
                        pending.append((packet, at))
                    if at < start:
                        continue
                    if not pending:
                        continue
                    # H.265 keeps the hev1 tag: hvc1 would move the parameter sets out of the packets.
                    out_stream = output.add_stream_from_template(in_stream)
                    time_base = in_stream.time_base
                    result = CopyResult(actual_start=pending[0][1], actual_end=pending[0][1], packets=0)
                    queued, pending = pending, []
                else:
                    queued = [(packet, at)]
                for item, instant in queued:
                    last_dts = _write(output, out_stream, item, instant, result, time_base, last_dts, segment)
            on_segment(n + 1)
        if result is None and pending:
            # The footage ends before the requested start is reached: nothing in the range.
            pending = []
        if result is None:
            raise VideoError(_("no footage in this range"))
    return result


def _write(
    output: av.container.OutputContainer,
    stream: av.video.stream.VideoStream,
    packet: av.Packet,
    at: datetime,
    result: CopyResult,
    time_base: Fraction,
    last_dts: int | None,
    segment: Segment,
) -> int:
    """Write one packet with its timestamps rebased to the file's start; decode timestamps stay strictly
    increasing even where two segments' indexed instants overlap by a few milliseconds."""
    offset = packet.dts - packet.pts if packet.dts is not None else 0
    pts = round((at - result.actual_start).total_seconds() / time_base)
    dts = pts + offset
    if last_dts is not None and dts <= last_dts:
        shift = last_dts + 1 - dts
        pts, dts = pts + shift, dts + shift
    packet.pts, packet.dts = pts, dts
    packet.stream = stream
    output.mux(packet)
    result.packets += 1
    result.actual_end = max(result.actual_end, at)
    if not result.segments or result.segments[-1].pk != segment.pk:
        result.segments.append(segment)
    return dts
