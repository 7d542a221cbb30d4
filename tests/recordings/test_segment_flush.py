"""A segment being written reaches the file at least every FLUSH_SECONDS, not packet by packet: what a
SIGKILLed recorder leaves (the bytes on disk; the page cache outlives the process) plays up to at most
FLUSH_SECONDS before the last packet, and the file is written a few times a second, not once a frame."""

from datetime import UTC, datetime
from pathlib import Path

import av
import pytest

from recordings.capture import storage
from recordings.capture.session import FLUSH_SECONDS, _SegmentFile
from tests.support.footage import FPS, H264, MJPEG, Codec, write_segment_file

SECONDS = 3


def camera_packets(tmp_path: Path, codec: Codec) -> tuple[av.container.InputContainer, list[av.Packet]]:
    source = tmp_path / f"camera{codec.suffix}"
    write_segment_file(source, codec, datetime(2026, 3, 1, 12, tzinfo=UTC), seconds=SECONDS, width=640, height=360)
    container = av.open(str(source))
    packets = [p for p in container.demux(container.streams.video[0]) if p.pts is not None]
    return container, packets


def what_a_kill_leaves(path: Path, tmp_path: Path) -> storage.ProbedSegment:
    """The file as it is on disk now, read as the next recorder's catch-up would read it."""
    left = tmp_path / f"left{path.suffix}"
    left.write_bytes(path.read_bytes())
    return storage.probe(left)


@pytest.mark.parametrize("codec", [H264, MJPEG], ids=lambda c: c.name)
def test_a_killed_recorder_loses_at_most_the_flush_interval(tmp_path, codec):
    source, packets = camera_packets(tmp_path, codec)
    segment = _SegmentFile(tmp_path / f"segment{codec.suffix}", source.streams.video[0], packets[0].pts)
    sizes = []
    for k, packet in enumerate(packets, 1):
        segment.write(packet, 1000.0 + k / FPS)  # arrival times, as time.monotonic() gives them
        sizes.append(segment.path.stat().st_size)
        if k >= FPS:  # from a second in, after every packet: a kill now keeps all but the last interval
            kept = what_a_kill_leaves(segment.path, tmp_path)
            assert kept.duration.total_seconds() >= k / FPS - FLUSH_SECONDS - 1.5 / FPS, (k, kept.duration)
    # The file grew at the flushes (and whenever the muxer's buffer filled), not at every packet.
    assert len(set(sizes)) <= SECONDS / FLUSH_SECONDS + 2, sizes
    segment.close()
    assert storage.probe(segment.path).duration.total_seconds() == pytest.approx(SECONDS, abs=1.5 / FPS)
    source.close()
