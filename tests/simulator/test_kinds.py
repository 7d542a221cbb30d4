"""Each kind of simulated camera is what it says, read over RTSP/TCP by PyAV as the recorder reads it."""

from __future__ import annotations

import socket
import statistics
import time
from dataclasses import dataclass, field
from fractions import Fraction

import av
import av.error
import pytest

from simulator.kinds import KINDS
from simulator.timecode import read_timecode

TCP = {"rtsp_transport": "tcp", "timeout": "5000000"}  # timeout in µs: a hung server fails, never blocks


@dataclass
class Frame:
    """One decoded video frame: when its packet arrived, its capture time from the barcode, its PTS."""

    arrived: float
    captured: float | None
    pts: float
    key: bool


@dataclass
class Reading:
    """What PyAV saw of a camera during a few seconds."""

    codecs: list[tuple[str, str]]  # (stream type, codec name) in stream order
    time_base: Fraction | None
    start_time_realtime: float | None  # seconds since the Unix epoch, from the first RTCP sender report
    packets: int = 0
    decode_errors: int = 0
    frames: list[Frame] = field(default_factory=list)

    @property
    def live(self) -> list[Frame]:
        """Frames after the burst buffered while av.open probed the stream (their packets arrived late)."""
        lags = [f.arrived - f.captured for f in self.frames if f.captured is not None]
        if not lags:
            return []
        for i, f in enumerate(self.frames):
            if f.captured is not None and f.arrived - f.captured < min(lags) + 0.06:
                return self.frames[i:]
        return []


def read(url: str, seconds: float, *, min_frames: int = 0, options: dict[str, str] | None = None) -> Reading:
    """Open url, then demux and decode until `seconds` have passed and min_frames frames decoded."""
    container = av.open(url, options={**TCP, **(options or {})}, timeout=10)
    try:
        video = container.streams.video[0] if container.streams.video else None
        reading = Reading(
            [(s.type, s.codec_context.name) for s in container.streams],
            video.time_base if video is not None else None,
            None,
        )
        arrived: dict[int, float] = {}
        until = time.monotonic() + seconds
        give_up = until + 15
        for packet in container.demux():
            now = time.monotonic()
            if now > give_up or (now > until and len(reading.frames) >= min_frames):
                break
            if packet.size == 0:
                continue
            reading.packets += 1
            if packet.stream is not video:
                continue
            arrived[packet.pts] = time.time()
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                reading.decode_errors += 1
                continue
            for frame in frames:
                if frame.pts is None:  # ffmpeg has no timestamp for the very first packets of some streams
                    continue
                tc = read_timecode(frame.to_ndarray(format="gray"))
                reading.frames.append(
                    Frame(
                        arrived.pop(frame.pts, float("nan")),
                        tc.timestamp() if tc is not None else None,
                        float(frame.pts * frame.time_base),
                        frame.key_frame,
                    )
                )
        srt = container.start_time_realtime
        reading.start_time_realtime = srt / 1e6 if srt is not None else None
    finally:
        container.close()
    return reading


def assert_barcode_on_every_frame(reading: Reading, fps: float, max_lag: float) -> None:
    live = reading.live
    assert len(live) >= 3, f"live frames: {len(live)} of {len(reading.frames)}"
    assert all(f.captured is not None for f in live), "every frame carries a readable barcode"
    # The barcode is the capture wall clock: the frame's packet arrives a little after it, never before.
    # (A frame now and then arrives later when other work loads the machine: the median decides.)
    lags = [f.arrived - f.captured for f in live]
    assert min(lags) > -0.02, lags
    assert 0 < statistics.median(lags) < max_lag, lags
    assert sum(lag < max_lag for lag in lags) >= 0.8 * len(lags), lags
    steps = [b.captured - a.captured for a, b in zip(live, live[1:], strict=False)]
    assert abs(statistics.median(steps) - 1 / fps) < 0.2 / fps


def test_every_kind_is_documented():
    assert set(KINDS) >= {"h264", "h265", "mjpeg", "audio-only", "corrupt-rtp", "random-bytes", "hang"}
    assert all(KINDS.values())


@pytest.mark.parametrize(
    ("kind", "codec", "max_lag"),
    [
        # H.264 and H.265 reach PyAV one frame late: ffmpeg's parser ends a frame only when the next begins.
        ("h264", "h264", 0.1 + 0.15),
        ("h265", "hevc", 0.1 + 0.15),
        ("mjpeg", "mjpeg", 0.15),
    ],
)
def test_video_codec_kinds_carry_the_barcode(simulator, kind, codec, max_lag):
    camera = simulator(f"Kind {kind}", kind=kind, fps=10)
    reading = read(camera.url, 2.5, min_frames=10)
    assert reading.codecs == [("video", codec)]
    assert reading.time_base == Fraction(1, 90000)
    assert_barcode_on_every_frame(reading, fps=10, max_lag=max_lag)
    # RTCP sender reports carry the true wall clock: start_time_realtime + PTS is the capture time.
    assert reading.start_time_realtime is not None
    for f in reading.live:
        assert abs(reading.start_time_realtime + f.pts - f.captured) < 0.03


def test_corrupt_rtp_answers_rtsp_but_no_frame_decodes(simulator):
    camera = simulator("Corrupt", kind="corrupt-rtp")
    # The handshake works (the SDP is the camera's real one), so PyAV opens the H.264 stream; probing
    # gives up after analyzeduration because no packet decodes (1 s here instead of ffmpeg's 5 s).
    reading = read(camera.url, 2.0, options={"analyzeduration": "1000000"})
    assert reading.codecs == [("video", "h264")]
    assert reading.packets >= 20, "RTP keeps flowing"
    assert reading.decode_errors >= 10
    assert reading.frames == []


def test_random_bytes_is_not_rtsp(simulator):
    camera = simulator("Noise", kind="random-bytes")
    with socket.create_connection((camera.host, camera.port), timeout=5) as s:
        s.sendall(b"OPTIONS rtsp://127.0.0.1/live RTSP/1.0\r\nCSeq: 1\r\n\r\n")
        assert not s.recv(4096).startswith(b"RTSP/1.0")
    with pytest.raises(av.error.InvalidDataError, match="Invalid data found when processing input"):
        av.open(camera.url, options=TCP, timeout=10)


def test_hung_listener_accepts_and_never_answers(simulator):
    camera = simulator("Hang", kind="hang")
    with socket.create_connection((camera.host, camera.port), timeout=5) as s:
        s.settimeout(0.5)
        s.sendall(b"OPTIONS rtsp://127.0.0.1/live RTSP/1.0\r\nCSeq: 1\r\n\r\n")
        with pytest.raises(TimeoutError):
            s.recv(4096)
    started = time.monotonic()
    # ffmpeg's RTSP timeout ends the wait; its error for a reply that never comes is "invalid data".
    with pytest.raises(av.error.InvalidDataError, match="Invalid data found when processing input"):
        av.open(camera.url, options={**TCP, "timeout": "1500000"}, timeout=10)
    assert 1.4 < time.monotonic() - started < 5


@pytest.mark.parametrize(("kind", "rate"), [("clock-slow", 0.95), ("clock-fast", 1.05)])
def test_clock_kinds_timestamps_run_slow_or_fast_while_the_barcode_keeps_true_time(simulator, kind, rate):
    camera = simulator(f"Kind {kind}", kind=kind, fps=10)
    reading = read(camera.url, 3.0, min_frames=20)
    assert reading.codecs == [("video", "h264")]
    assert_barcode_on_every_frame(reading, fps=10, max_lag=0.25)
    live = reading.live
    pts_span = live[-1].pts - live[0].pts
    true_span = live[-1].captured - live[0].captured
    assert abs(pts_span / true_span - rate) < 0.01, (pts_span, true_span)


def test_rtcp_plus_1h_sender_reports_are_one_hour_ahead(simulator):
    camera = simulator("RTCP +1 h", kind="rtcp-plus-1h", fps=10)
    reading = read(camera.url, 1.5, min_frames=10)
    assert reading.codecs == [("video", "h264")]
    assert_barcode_on_every_frame(reading, fps=10, max_lag=0.25)
    for f in reading.live:  # the video is true; only the RTCP wall clock is an hour ahead
        assert abs(reading.start_time_realtime + f.pts - f.captured - 3600) < 0.05


def test_rtcp_1900_sender_reports_come_from_a_clock_never_set(simulator):
    camera = simulator("RTCP 1900", kind="rtcp-1900", fps=10)
    reading = read(camera.url, 1.5, min_frames=10)
    assert reading.codecs == [("video", "h264")]
    assert_barcode_on_every_frame(reading, fps=10, max_lag=0.25)
    # NTP counts from 1900-01-01: a sender report of NTP time ~0 is 2208988800 s before the Unix epoch.
    assert -2_208_988_800 <= reading.start_time_realtime < -2_208_988_800 + 60


def test_fps1_sends_one_frame_per_second(simulator):
    camera = simulator("One fps", kind="fps1")
    # With ffmpeg's default probing, av.open takes ~7 s on a 1 fps stream; a tiny probesize makes it ~2 s.
    reading = read(camera.url, 3.0, min_frames=4, options={"probesize": "32", "analyzeduration": "0"})
    assert reading.codecs == [("video", "h264")]
    # One frame late (ffmpeg's H.264 parser) is a whole second here.
    assert_barcode_on_every_frame(reading, fps=1, max_lag=1.2)
    live = reading.live
    assert all(abs((b.pts - a.pts) - 1.0) < 0.02 for a, b in zip(live, live[1:], strict=False))


def test_gop10_sends_a_keyframe_every_ten_seconds(simulator):
    camera = simulator("Long GOP", kind="gop10", fps=10)
    reading = read(camera.url, 10.6, min_frames=100, options={"fpsprobesize": "0"})
    keys: list[float] = []
    for f in reading.frames:
        # The stream starts with a keyframe and another is forced just after PLAY (a new viewer gets a
        # picture at once, like most cameras): count those as one; from then on only the 10 s GOP.
        if f.key and f.captured is not None and (not keys or f.captured - keys[-1] > 0.5):
            keys.append(f.captured)
    gaps = [b - a for a, b in zip(keys, keys[1:], strict=False)]
    assert gaps and all(abs(gap - 10.0) < 0.2 for gap in gaps), keys
    assert sum(1 for f in reading.frames if not f.key) >= 90


def test_audio_video_has_h264_and_alaw_streams(simulator):
    camera = simulator("With sound", kind="audio-video", fps=10)
    reading = read(camera.url, 1.5, min_frames=10)
    assert reading.codecs == [("video", "h264"), ("audio", "pcm_alaw")]
    assert_barcode_on_every_frame(reading, fps=10, max_lag=0.25)
    assert reading.packets > len(reading.frames), "audio packets arrive between the frames"


def test_audio_only_kind_has_one_alaw_stream(simulator):
    camera = simulator("Silent picture", kind="audio-only")
    reading = read(camera.url, 1.0)
    assert reading.codecs == [("audio", "pcm_alaw")]
    assert reading.packets >= 5 and reading.frames == []  # audiotestsrc: 1024 samples (128 ms) a packet
