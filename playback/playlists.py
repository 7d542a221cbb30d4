"""HLS playlists written on request from the segment index: no transcoding, exact wall-clock times.

Every segment carries EXT-X-PROGRAM-DATE-TIME, so the player knows the wall-clock time of the picture
on screen; missing time between segments is an EXT-X-DISCONTINUITY, never a silent jump.
"""

import math
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from recordings.querysets import CONTIGUOUS

Row = tuple[int, datetime, datetime, str, str]  # (segment pk, start, end, path, codec)


def _pdt(instant: datetime) -> str:
    if instant.utcoffset():
        instant = instant.astimezone(UTC)
    # isoformat is C and several times faster than strftime: it matters for a day of 21,600 segments.
    return instant.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def _body(rows: Sequence[Row], uri: Callable[[Row], str]) -> list[str]:
    lines: list[str] = []
    previous_end: datetime | None = None
    for row in rows:
        _pk, start, end = row[:3]
        if previous_end is not None and abs(start - previous_end) > CONTIGUOUS:
            lines.append("#EXT-X-DISCONTINUITY")
        lines.append(f"#EXT-X-PROGRAM-DATE-TIME:{_pdt(start)}")
        lines.append(f"#EXTINF:{(end - start).total_seconds():.3f},")
        lines.append(uri(row))
        previous_end = end
    return lines


def _target_duration(rows: Sequence[Row]) -> int:
    longest = max(((row[2] - row[1]).total_seconds() for row in rows), default=4.0)
    return max(1, math.ceil(longest))


def vod_playlist(rows: Sequence[Row], *, uri: Callable[[Row], str]) -> str:
    """A closed playlist of recorded segments (a fixed range of the past)."""
    head = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        "#EXT-X-PLAYLIST-TYPE:VOD",
        f"#EXT-X-TARGETDURATION:{_target_duration(rows)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
    ]
    return "\n".join([*head, *_body(rows, uri), "#EXT-X-ENDLIST", ""])


def live_playlist(rows: Sequence[Row], *, first_sequence: int, uri: Callable[[Row], str]) -> str:
    """A sliding window over the newest segments; no ENDLIST, so the player keeps reloading it, and
    asks for the next segment in advance (blocking reload) where it can."""
    head = [
        "#EXTM3U",
        "#EXT-X-VERSION:3",
        f"#EXT-X-TARGETDURATION:{_target_duration(rows)}",
        "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES",
        f"#EXT-X-MEDIA-SEQUENCE:{first_sequence}",
    ]
    return "\n".join([*head, *_body(rows, uri), ""])
