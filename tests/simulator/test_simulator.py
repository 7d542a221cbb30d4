"""The RTSP camera simulator end to end: a real GStreamer server read by PyAV over RTSP/TCP (no Django)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import av
import av.error
import numpy as np
import pytest

from simulator import timecode_strip as ts
from simulator.fleet import (
    SharedEncoderCameras,
    SimulatedCamera,
    free_port,
    free_port_range,
    port_accepts,
)
from simulator.timecode import read_timecode

TCP = {"rtsp_transport": "tcp", "timeout": "5000000"}  # timeout in µs: a hung server fails, never blocks


@pytest.fixture
def start_camera() -> Iterator[Callable[..., SimulatedCamera]]:
    """Start simulated cameras on free ports; every one is stopped afterwards, also when the test fails."""
    started: list[SimulatedCamera] = []

    def start(name: str = "Test camera", **options: object) -> SimulatedCamera:
        camera = SimulatedCamera(name, free_port(), **options)
        started.append(camera)
        return camera.start()

    yield start
    for camera in started:
        camera.stop()


def live_frames(url: str, seconds: float, min_frames: int = 12) -> list[tuple[float, datetime | None, bool, float]]:
    """(receive time, decoded timecode, keyframe, start_time_realtime-based time) of live frames.

    Frames buffered while av.open probes the stream arrive in a burst and are skipped: collection starts with
    the first frame decoded within 0.25 s of its capture, then runs for `seconds`.
    """
    out = []
    # fpsprobesize=0: the frame rate comes from the SPS, so opening takes ~0.8 s instead of ~2.4 s.
    container = av.open(url, options={**TCP, "fpsprobesize": "0"}, timeout=10)
    try:
        stream = container.streams.video[0]
        deadline = time.monotonic() + 15
        live_until = None
        for packet in container.demux(stream):
            assert time.monotonic() < deadline, "no live frames within 15 s"
            for frame in packet.decode():
                received = time.time()
                tc = read_timecode(frame.to_ndarray(format="gray"))
                if live_until is None:
                    if tc is None or received - tc.timestamp() > 0.25:
                        continue
                    live_until = time.monotonic() + seconds
                srt = container.start_time_realtime
                rt = srt / 1e6 + float(frame.pts * frame.time_base) if srt is not None and frame.pts else None
                out.append((received, tc, frame.key_frame, rt))
            if live_until is not None and time.monotonic() > live_until and len(out) >= min_frames:
                break
    finally:
        container.close()
    return out


def test_stream_is_h264_720p_over_tcp_with_exact_timecode(start_camera):
    camera = start_camera("Camera 01")
    assert camera.url == f"rtsp://127.0.0.1:{camera.port}/live"

    with av.open(camera.url, options=TCP, timeout=10) as container:
        (video,) = container.streams.video
        assert video.codec_context.name == "h264"
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        assert video.average_rate == 12

    frames = live_frames(camera.url, seconds=4.5)
    codes = [tc for _, tc, _, _ in frames]
    assert all(tc is not None for tc in codes), "every frame carries a readable timecode"
    for received, tc, _, _ in frames:
        # The strip holds the capture wall clock: a live frame arrives a little (about one frame) later.
        assert -0.05 < received - tc.timestamp() < 0.3, (received, tc)
    steps = np.diff([tc.timestamp() for tc in codes])
    assert abs(np.median(steps) - 1 / 12) < 0.01, "one frame every 1/12 s"
    keyframe_times = [tc.timestamp() for _, tc, key, _ in frames if key]
    assert len(keyframe_times) >= 2, "4.5 s of stream holds at least two keyframes"
    assert all(abs(gap - 2.0) < 0.2 for gap in np.diff(keyframe_times)), keyframe_times
    # RTCP sender reports give the same clock: start_time_realtime + pts is the capture time.
    mapped = [(rt, tc) for _, tc, _, rt in frames if rt is not None]
    assert mapped, "an RTCP sender report arrives within the first seconds"
    assert all(abs(rt - tc.timestamp()) < 0.02 for rt, tc in mapped)


def test_three_readers_share_the_camera(start_camera):
    camera = start_camera("Shared")
    results: dict[int, object] = {}

    def read(i: int) -> None:
        try:
            results[i] = live_frames(camera.url, seconds=1.0)
        except Exception as exc:  # reported by the assertion below, with the reader's error
            results[i] = exc

    threads = [threading.Thread(target=read, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for i in range(3):
        frames = results.get(i)
        assert isinstance(frames, list) and len(frames) >= 12, f"reader {i}: {frames!r}"


def test_credentials_are_enforced(start_camera):
    camera = start_camera("Secured", user="operator", password="Correct-Horse-77")
    with av.open(camera.url_with_credentials(), options=TCP, timeout=10) as container:
        assert container.streams.video[0].codec_context.name == "h264"
    with pytest.raises(av.error.HTTPUnauthorizedError):
        av.open(camera.url_with_credentials(password="wrong"), options=TCP, timeout=10)
    with pytest.raises(av.error.HTTPUnauthorizedError):
        av.open(camera.url, options=TCP, timeout=10)


def test_audio_only_stream_has_no_video(start_camera):
    camera = start_camera("Audio only", audio_only=True)
    with av.open(camera.url, options=TCP, timeout=10) as container:
        assert len(container.streams.video) == 0
        assert [s.codec_context.name for s in container.streams.audio] == ["pcm_alaw"]


def test_stopped_camera_refuses_and_restarted_camera_streams_again(start_camera):
    camera = start_camera("Outage")
    camera.stop()
    assert not port_accepts("127.0.0.1", camera.port)
    with pytest.raises(ConnectionRefusedError):
        av.open(camera.url, options=TCP, timeout=10)
    camera.restart()
    assert len(live_frames(camera.url, seconds=0.5)) >= 6


def test_paused_camera_hangs_readers_until_resumed(start_camera):
    camera = start_camera("Hung")
    camera.pause()
    started = time.monotonic()
    with pytest.raises(av.error.FFmpegError):
        av.open(camera.url, options={"rtsp_transport": "tcp", "timeout": "1500000"}, timeout=10)
    assert time.monotonic() - started < 8, "the RTSP timeout option ends the wait on a hung camera"
    camera.resume()
    assert len(live_frames(camera.url, seconds=0.5)) >= 6


def test_shared_encoder_serves_each_port_and_stops_one_port():
    cameras = SharedEncoderCameras(3, free_port_range(3))
    try:
        cameras.start()
        assert cameras.urls == [f"rtsp://127.0.0.1:{cameras.port + i}/live" for i in range(3)]
        first = live_frames(cameras.url(1), seconds=0.5)
        assert len(first) >= 6
        cameras.stop_camera(2)
        assert not port_accepts("127.0.0.1", cameras.port + 1)
        assert port_accepts("127.0.0.1", cameras.port + 2)
        cameras.start_camera(2)
        assert len(live_frames(cameras.url(2), seconds=0.5)) >= 6
    finally:
        cameras.stop()
    assert not cameras.is_running()


def _paint_strip(millis: int, width: int = 640, height: int = 360) -> np.ndarray:
    gray = np.full((height, width), 90, np.uint8)
    x0, y0 = ts.strip_origin(width, height)
    for r, bits in enumerate(ts.encode_cells(millis)):
        for c, bit in enumerate(bits):
            y, x = y0 + r * ts.BLOCK, x0 + c * ts.BLOCK
            gray[y : y + ts.BLOCK, x : x + ts.BLOCK] = ts.LUMA_WHITE if bit else ts.LUMA_BLACK
    return gray


def test_timecode_round_trip_and_rejection():
    when = datetime(2026, 3, 29, 0, 59, 59, 987000, tzinfo=UTC)  # the night Lithuania moves to summer time
    millis = int(when.timestamp() * 1000)
    gray = _paint_strip(millis)
    assert read_timecode(gray) == when
    noisy = np.clip(gray.astype(int) + np.random.default_rng(1).integers(-40, 40, gray.shape), 0, 255)
    assert read_timecode(noisy.astype(np.uint8)) == when, "compression-like noise does not change the bits"
    x0, y0 = ts.strip_origin(640, 360)
    flipped = gray.copy()
    cell = flipped[y0 + ts.BLOCK : y0 + 2 * ts.BLOCK, x0 + 10 * ts.BLOCK : x0 + 11 * ts.BLOCK]
    cell[:] = 255 - cell  # one wrong bit: the CRC rejects the frame rather than report a wrong time
    assert read_timecode(flipped) is None
    assert read_timecode(np.full((360, 640), 128, np.uint8)) is None
    assert read_timecode(np.zeros((100, 100), np.uint8)) is None
    assert read_timecode(_paint_strip(millis + 1)) == when + timedelta(milliseconds=1)
