"""Assertions about recorded footage, shared by the recording and fault tests."""

from datetime import datetime, timedelta
from itertools import pairwise

import av

from recordings.capture import storage
from recordings.models import Segment
from simulator.timecode import read_timecode


def segments_of(camera: object) -> list[Segment]:
    return list(Segment.objects.filter(camera=camera).order_by("start"))


def recorded_seconds(camera: object) -> float:
    return sum(s.duration.total_seconds() for s in segments_of(camera))


def recorded_until(camera: object) -> datetime | None:
    last = Segment.objects.filter(camera=camera).order_by("-end").first()
    return last.end if last else None


def holes(segments: list[Segment]) -> list[tuple[datetime, datetime]]:
    """Spans between consecutive segments longer than 0.2 s, or overlapping (negative)."""
    return [
        (a.end, b.start)
        for a, b in pairwise(segments)
        if (b.start - a.end) > timedelta(seconds=0.2) or (b.start - a.end) < timedelta(milliseconds=-1)
    ]


def first_and_last_frame_times(segment: Segment) -> tuple[datetime, datetime, float]:
    """Capture times burned into the segment's first and last frames by the simulator, and the frame step."""
    with av.open(str(storage.segment_file(segment.node, segment.path))) as container:
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        # Frames must be read while the container is open: PyAV frees them with it.
        lumas = [frame.to_ndarray(format="gray") for frame in container.decode(stream)]
    assert lumas, f"{segment.path} has no decodable frame"
    first, last = read_timecode(lumas[0]), read_timecode(lumas[-1])
    assert first and last, f"the simulator's timecode is unreadable in {segment.path}"
    return first, last, 1 / float(rate)


def assert_segment_is_sound(segment: Segment) -> None:
    """On disk, playable, hashed correctly, and as long as the index says."""
    path = storage.segment_file(segment.node, segment.path)
    assert path.exists(), f"{segment.path} is indexed but not on disk"
    assert storage.sha256_of(path) == segment.sha256
    assert path.stat().st_size == segment.bytes
    probed = storage.probe(path)
    assert probed.codec == "h264"
    # The index ends a segment where the next one starts; the file's own last frame can end earlier
    # when the camera dropped frames just before the cut (the simulator does under heavy CPU load).
    assert abs(probed.duration - segment.duration) < timedelta(seconds=0.5), (segment.path, probed.duration)
