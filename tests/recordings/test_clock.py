"""The stream clock maps a camera's timestamps to this server's clock: controlled arrivals, no real time."""

import random
from fractions import Fraction

import pytest

from recordings.capture.clock import ClockSource, StreamClock

TB = Fraction(1, 90000)
T0 = 1_790_000_000.0  # the true instant of the first frame
FPS = 10
SEGMENT_FRAMES = 40  # 4 s segments


def record(clock: StreamClock, *, seconds: float, rate: float = 1.0, latency=lambda: 0.003, rtcp_us=None, t0=T0):
    """Feed frames captured at T0 + n/FPS whose pts run at `rate` of real time; return per-boundary
    (true instant, boundary) pairs. With the parser delay a packet arrives as the next frame starts."""
    results = []
    frames = int(seconds * FPS)
    segment_start = 0
    for n in range(frames + 1):
        captured = t0 + n / FPS
        pts = round(n / FPS * rate * 90000)
        arrival = captured + (1 / FPS if clock.frame_delay else 0) + latency()
        if n and n % SEGMENT_FRAMES == 0:
            boundary = clock.settle(pts, start_pts=round(segment_start / FPS * rate * 90000), rtcp_realtime_us=rtcp_us)
            results.append((captured, boundary))
            segment_start = n
        clock.observe(pts, arrival)
    return results


def test_a_healthy_camera_is_dated_by_capture_not_by_the_parser_delay():
    clock = StreamClock(TB, frame_delay=True)
    results = record(clock, seconds=60)
    assert abs(results[0][1].previous - T0) < 0.01  # the first segment's start
    assert all(abs(b.instant - true) < 0.01 for true, b in results)
    assert all(b.source == ClockSource.ARRIVAL and not b.stepped and b.rate == 1.0 for _, b in results)


def test_jitter_never_moves_the_index_by_more_than_the_slew():
    rng = random.Random(7)
    clock = StreamClock(TB, frame_delay=True)
    results = record(clock, seconds=120, latency=lambda: 0.003 + rng.expovariate(1 / 0.05))
    assert all(abs(b.correction_s) <= 500e-6 * 4 + 1e-6 for _, b in results[1:])
    assert all(abs(b.instant - true) < 0.02 for true, b in results)
    assert all(b.rate == 1.0 for _, b in results)


@pytest.mark.parametrize("rate", [0.95, 1.05])
def test_a_stream_clock_running_slow_or_fast_is_followed(rate):
    clock = StreamClock(TB, frame_delay=True)
    results = record(clock, seconds=120, rate=rate)
    errors = [abs(b.instant - true) for true, b in results]
    assert max(errors[1:]) < 0.05, errors
    assert max(errors) < 0.25
    assert results[-1][1].rate == pytest.approx(rate, abs=0.002)
    assert all(abs(b.correction_s) > 0.1 for _, b in results[2:])  # noted on every segment


def test_sender_reports_that_agree_are_used():
    true_rtcp_us = round(T0 * 1e6)  # pts 0 was taken at T0 by the camera's (synced) clock
    clock = StreamClock(TB, frame_delay=True)
    results = record(clock, seconds=20, latency=lambda: 0.08, rtcp_us=true_rtcp_us)
    assert all(b.source == ClockSource.RTCP for _, b in results)
    assert all(abs(b.instant - true) < 0.001 for true, b in results[1:])
    assert abs(results[-1][1].camera_offset_s + 0.08) < 0.01


@pytest.mark.parametrize("offset", [3600.0, -T0])
def test_sender_reports_that_disagree_are_ignored_and_a_clock_never_set_is_said(offset):
    clock = StreamClock(TB, frame_delay=True)
    results = record(clock, seconds=20, rtcp_us=round((T0 + offset) * 1e6))
    assert all(b.source == ClockSource.ARRIVAL for _, b in results)
    assert all(abs(b.instant - true) < 0.01 for true, b in results)
    last = results[-1][1]
    if offset > 0:
        assert last.camera_offset_s == pytest.approx(offset, abs=0.01) and not last.camera_clock_unset
    else:
        assert last.camera_offset_s is None and last.camera_clock_unset


def test_a_jump_of_the_stream_timestamps_is_a_step_bounded_by_the_setting():
    clock = StreamClock(TB, frame_delay=True, step_bound=1.0)
    record(clock, seconds=20)
    # The camera restarts its timestamps 30 s back while real time goes on.
    later = record(clock, seconds=20, t0=T0 + 50)
    stepped = [b for _, b in later if b.stepped]
    assert stepped and clock.steps >= 1
    assert all(abs(b.instant - true) < 1.0 for true, b in later[1:])
