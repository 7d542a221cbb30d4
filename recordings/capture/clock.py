"""Maps a stream's timestamps to UTC instants on this server's clock (docs/time.md).

The camera's timestamps give the spacing of frames; this server's (NTP-disciplined) clock gives the
instant. A packet is never received before its frame was taken, so the lowest `arrival - elapsed`
seen (the lower envelope) is the best arrival-based estimate of when the stream's first frame was
taken. H.264 and H.265 go through ffmpeg's parser, which hands a frame over only when the next one
starts arriving: the arrival of a packet dates the capture of the *next* packet (`frame_delay`).

At every segment boundary `settle()` fixes the boundary's instant, in one of three ways:
- **rtcp**: the camera's RTCP sender reports (ffmpeg's `start_time_realtime`, the wall-clock time of
  pts 0) agree with the envelope: they date a frame better than its arrival, so they are used;
- **arrival, rate kept**: the mapping follows the envelope but moves by at most MAX_SLEW (500 ppm,
  as Moonfire NVR does) of the elapsed time, so network jitter never moves the index;
- **arrival, rate corrected**: a stream whose clock runs measurably fast or slow (cheap encoders
  that cannot keep up) is mapped by a line fitted through the envelope of the last minute.
If the envelope and the mapping still part by more than `step_bound`, the mapping is re-anchored
(a step): the index is never further than that from this server's clock.
"""

from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from fractions import Fraction

MAX_SLEW = 500e-6
# A stream clock off by more than this (stream seconds per real second) is followed by a fitted rate:
# quartz drifts by tens of ppm; 0.2 % is a camera whose timestamps do not keep time.
RATE_TOLERANCE = 0.002
# ...and only once the envelope has moved by more than jitter can explain over the fitted span.
RATE_EVIDENCE_S = 0.08
# An envelope point this far above the fitted line is a late packet, not the envelope.
_OUTLIER_S = 0.03
_HISTORY_BUCKETS = 64  # one envelope point per second of stream time: the last minute or so
# Sender reports may date a frame this much after its arrival (two NTP-synced clocks disagree a little).
_RTCP_SLACK_S = 0.05
# Wall-clock times before this are a camera whose clock was never set (RTCP's epoch is 1900).
CLOCK_UNSET_BEFORE = datetime(2000, 1, 1, tzinfo=UTC).timestamp()


class ClockSource:
    RTCP = "rtcp"
    ARRIVAL = "arrival"


@dataclass(frozen=True)
class Boundary:
    """What `settle()` decided for one segment boundary (POSIX seconds)."""

    previous: float  # the instant of the previous boundary (the segment's start)
    instant: float  # the instant of this boundary (the segment's end)
    correction_s: float  # how far `instant` departs from the stream's own timing since `previous`
    stepped: bool  # re-anchored: envelope and mapping had parted by more than the bound
    source: str  # ClockSource
    rate: float  # stream seconds per real second in use (1.0 unless a fitted rate is in use)
    camera_offset_s: float | None  # the camera's RTCP clock minus ours; None without reports
    camera_clock_unset: bool  # the camera's RTCP clock says it is before 2000
    steps: int  # steps so far in this session


class StreamClock:
    """UTC of a stream's boundaries; `observe()` every packet, `settle()` at every segment boundary."""

    def __init__(self, time_base: Fraction, *, frame_delay: bool = False, step_bound: float = 1.0) -> None:
        # Called for every packet: float arithmetic, not Fraction (exact enough for days of 90 kHz pts).
        self._tick = float(time_base)
        self.frame_delay = frame_delay
        self.step_bound = step_bound
        self.first_pts: int | None = None
        self._held_arrival: float | None = None
        self._window_min: float | None = None
        self._buckets: deque[list[float]] = deque(maxlen=_HISTORY_BUCKETS)  # [elapsed, arrival - elapsed]
        self._bucket_key = -1
        self._last: tuple[float, float] | None = None  # (elapsed, instant) of the last boundary
        self._max_pts = 0
        self._jump_ticks = round(step_bound / self._tick)
        self.steps = 0

    def elapsed(self, pts: int) -> float:
        return (pts - self.first_pts) * self._tick

    def observe(self, pts: int, arrival: float) -> None:
        """Note that the packet with this pts arrived at POSIX time `arrival`."""
        if self.first_pts is None:
            self.first_pts = self._max_pts = pts
        if pts > self._max_pts:
            self._max_pts = pts
        elif pts < self._max_pts - self._jump_ticks:  # the camera's timestamps went back: start afresh
            self._forget(pts)
        if self.frame_delay:
            arrival, self._held_arrival = self._held_arrival, arrival
            if arrival is None:
                return
        elapsed = (pts - self.first_pts) * self._tick
        candidate = arrival - elapsed
        if self._window_min is not None and candidate < self._window_min - self.step_bound:
            self._forget(pts)  # ...or leapt ahead
        if self._window_min is None or candidate < self._window_min:
            self._window_min = candidate
        key = int(elapsed)
        if key != self._bucket_key:
            self._bucket_key = key
            self._buckets.append([elapsed, candidate])
        elif candidate < self._buckets[-1][1]:
            self._buckets[-1][0], self._buckets[-1][1] = elapsed, candidate

    def settle(self, pts: int, *, start_pts: int, rtcp_realtime_us: int | None = None) -> Boundary:
        """Fix the instant of the boundary at `pts`; `start_pts` places the very first one."""
        if self._window_min is None and self._last is None:
            # A first segment of a single frame: its own arrival is all there is to go by.
            self._window_min = (self._held_arrival or 0.0) - self.elapsed(start_pts)
        elapsed = self.elapsed(pts)
        fit = self._fitted_rate()
        if self._last is None:
            start = self.elapsed(start_pts)
            self._last = (start, self._envelope(start, fit))
        previous_elapsed, previous = self._last
        free = previous + (elapsed - previous_elapsed)  # the stream's own timing
        envelope = self._envelope(elapsed, fit)
        rtcp = None if rtcp_realtime_us is None else rtcp_realtime_us / 1e6 + pts * self._tick
        unset = rtcp is not None and rtcp < CLOCK_UNSET_BEFORE
        stepped = False
        if fit is None and rtcp is not None and -_RTCP_SLACK_S <= envelope - rtcp <= self.step_bound:
            instant, source = rtcp, ClockSource.RTCP
        elif fit is not None:
            instant, source = envelope, ClockSource.ARRIVAL
        else:
            source = ClockSource.ARRIVAL
            drift = envelope - free
            if abs(drift) > self.step_bound:
                instant, stepped = envelope, True
            else:
                limit = MAX_SLEW * max(elapsed - previous_elapsed, 0.0)
                instant = free + max(-limit, min(limit, drift))
        if abs(instant - free) > self.step_bound:
            stepped = True
        if stepped:
            self.steps += 1
            self._buckets.clear()
            self._bucket_key = -1
        self._last = (elapsed, instant)
        self._window_min = None
        return Boundary(
            previous=previous,
            instant=instant,
            correction_s=instant - free,
            stepped=stepped,
            source=source,
            rate=1.0 / (1.0 + fit[1]) if fit else 1.0,
            camera_offset_s=None if rtcp is None or unset else rtcp - envelope,
            camera_clock_unset=unset,
            steps=self.steps,
        )

    def _forget(self, pts: int) -> None:
        """The history before a jump of the stream's timestamps says nothing about after it."""
        self._max_pts = pts
        self._window_min = None
        self._buckets.clear()
        self._bucket_key = -1

    def _envelope(self, elapsed: float, fit: tuple[float, float] | None) -> float:
        """The envelope's instant of `elapsed`: on the fitted line, else the last window's lowest point."""
        if fit is not None:
            intercept, slope = fit
            return intercept + (1.0 + slope) * elapsed
        if self._window_min is None:  # no packet since the last boundary: keep the stream's timing
            previous_elapsed, previous = self._last
            return previous + elapsed - previous_elapsed
        return self._window_min + elapsed

    def _fitted_rate(self) -> tuple[float, float] | None:
        """(intercept, slope) of `arrival - elapsed` against elapsed, when the stream clock is off."""
        points = list(self._buckets)
        for _ in range(2):  # fit, drop late packets above the line, fit again
            if len(points) < 3:
                return None
            line = _least_squares(points)
            if line is None:
                return None
            intercept, slope = line
            kept = [p for p in points if p[1] - (intercept + slope * p[0]) <= _OUTLIER_S]
            if len(kept) == len(points):
                break
            points = kept
        span = points[-1][0] - points[0][0]
        if abs(slope) <= RATE_TOLERANCE or abs(slope) * span <= RATE_EVIDENCE_S:
            return None
        return intercept, slope

    def utc(self, posix: float) -> datetime:
        return datetime.fromtimestamp(posix, tz=UTC)


def _least_squares(points: list[list[float]]) -> tuple[float, float] | None:
    n = len(points)
    mean_x = sum(p[0] for p in points) / n
    mean_y = sum(p[1] for p in points) / n
    sxx = sum((p[0] - mean_x) ** 2 for p in points)
    if sxx <= 0:
        return None
    slope = sum((p[0] - mean_x) * (p[1] - mean_y) for p in points) / sxx
    return mean_y - slope * mean_x, slope
