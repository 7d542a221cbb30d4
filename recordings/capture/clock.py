"""Maps a stream's timestamps to UTC instants on this server's clock.

The camera's timestamps give the spacing of frames; this server's (NTP-disciplined) clock gives the
instant. Network and buffering only ever delay a packet, so the earliest `arrival - elapsed` seen is
the best estimate of when the stream's first frame was taken. After the first segment the mapping may
move by at most MAX_SLEW (500 ppm, as Moonfire NVR does) of the time that passed, so a camera whose
clock runs slow or fast is followed without jumps.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction

MAX_SLEW = 500e-6


@dataclass
class StreamClock:
    """UTC of a pts = origin + (pts - first_pts) * time_base; `origin` is a POSIX time in seconds."""

    time_base: Fraction
    first_pts: int | None = None
    origin: float | None = None
    _window_min: float | None = field(default=None, repr=False)
    _last_settle_elapsed: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        # Called for every packet: float arithmetic, not Fraction (exact enough for days of 90 kHz pts).
        self._seconds_per_tick = float(self.time_base)

    def elapsed(self, pts: int) -> float:
        return (pts - self.first_pts) * self._seconds_per_tick

    def observe(self, pts: int, arrival: float) -> None:
        """Note that the packet with this pts arrived at POSIX time `arrival`."""
        if self.first_pts is None:
            self.first_pts = pts
        candidate = arrival - self.elapsed(pts)
        if self._window_min is None or candidate < self._window_min:
            self._window_min = candidate

    def settle(self, pts: int) -> None:
        """Fold the packets seen since the last call into the mapping (called at segment boundaries)."""
        if self._window_min is None:
            return
        elapsed = self.elapsed(pts)
        if self.origin is None:
            self.origin = self._window_min
        else:
            limit = MAX_SLEW * max(elapsed - self._last_settle_elapsed, 0.0)
            self.origin += max(-limit, min(limit, self._window_min - self.origin))
        self._last_settle_elapsed = elapsed
        self._window_min = None

    def posix(self, pts: int) -> float:
        return self.origin + self.elapsed(pts)

    def utc(self, pts: int) -> datetime:
        return datetime.fromtimestamp(self.posix(pts), tz=UTC)

    def camera_offset(self, start_time_realtime_us: int | None) -> float | None:
        """How far the camera's clock (RTCP sender reports, pts 0) is ahead of ours, in seconds."""
        if not start_time_realtime_us or self.origin is None:
            return None
        ours = self.origin - self.first_pts * self._seconds_per_tick
        return start_time_realtime_us / 1e6 - ours
