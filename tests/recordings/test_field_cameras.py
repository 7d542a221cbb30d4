"""Every kind of camera the field has, recorded by a real capture worker: it either plays, with exact
times, or is an error with its reason and no footage. Never "recording" over files that do not decode."""

import os
import signal
import statistics
import time

import av
import pytest

from alarms.choices import AlarmKind
from alarms.models import Alarm
from alarms.tasks import check_stream_clocks
from cameras.models import CameraStatus
from recordings.capture import storage
from recordings.models import Gap, Segment
from simulator.timecode import read_timecode
from tests.factories import CameraFactory
from tests.support.waiting import wait_for

pytestmark = pytest.mark.slow

# Small pictures: a dozen simulated encoders share this machine's two cores with the recorder.
PICTURE = {"width": 640, "height": 360, "fps": 10}
PLAYABLE = {
    "h264": "h264",
    "h265": "hevc",
    "mjpeg": "mjpeg",
    "audio-video": "h264",
    "rtcp-plus-1h": "h264",
    "rtcp-1900": "h264",
    "fps1": "h264",
    "gop10": "h264",
}
FAILING = {
    "audio-only": ("error", "no_video_track"),
    "corrupt-rtp": ("error", "undecodable"),
    "random-bytes": ("error", "not_rtsp_video"),
    "hang": ("offline", "timed_out"),
}


def start_errors(segment: Segment) -> tuple[float, float]:
    """Seconds between the index and the capture time burned into the segment's first and last frames."""
    with av.open(str(storage.absolute(segment.path))) as container:
        stream = container.streams.video[0]
        frames = [(f.time, f.to_ndarray(format="gray")) for f in container.decode(stream)]
    assert frames, f"{segment.path} holds no decodable frame"
    (first_time, first), (last_time, last) = frames[0], frames[-1]
    first_tc, last_tc = read_timecode(first), read_timecode(last)
    assert first_tc and last_tc, f"timecode unreadable in {segment.path}"
    start_error = (segment.start - first_tc).total_seconds()
    # The last frame's instant by the index: its place in the file, spread over the indexed span (a
    # stream clock that runs slow or fast is stretched to real time by the index, not in the file).
    stream_span = storage.probe(storage.absolute(segment.path)).duration.total_seconds()
    indexed_span = segment.duration.total_seconds()
    last_by_index = segment.start.timestamp() + (last_time - first_time) * indexed_span / stream_span
    return start_error, last_by_index - last_tc.timestamp()


def assert_times_exact(camera: object, codec: str) -> None:
    segments = list(Segment.objects.filter(camera=camera).order_by("start"))
    assert segments, f"{camera} recorded nothing"
    starts = []
    for segment in segments:
        assert segment.codec == codec
        probed = storage.probe(storage.absolute(segment.path))
        assert probed.codec == codec
        start_error, last_error = start_errors(segment)
        starts.append(abs(start_error))
        assert abs(start_error) <= 0.25 and abs(last_error) <= 0.25, (segment.path, start_error, last_error)
    assert statistics.median(starts) <= 0.05, starts


def test_every_kind_of_camera_plays_with_exact_times_or_says_why_it_cannot(capture_stack, simulator):
    cameras = {
        kind: CameraFactory(name=kind, rtsp_url=simulator(kind, kind=kind, **PICTURE).url)
        for kind in [*PLAYABLE, *FAILING]
    }
    capture_stack.dispatcher()
    capture_stack.capture_worker()

    def recorded(camera: object) -> float:
        return sum(s.duration.total_seconds() for s in Segment.objects.filter(camera=camera))

    def failing_reported() -> bool:
        states = {k: CameraStatus.objects.filter(camera=cameras[k]).first() for k in FAILING}
        return all(s and s.state == FAILING[k][0] for k, s in states.items())

    try:
        wait_for(
            lambda: all(recorded(cameras[k]) >= 20 for k in PLAYABLE) and failing_reported(),
            timeout=120,
            what="20 s of every playable kind and a report from every failing one",
        )
    except AssertionError:
        for kind, camera in cameras.items():
            status = CameraStatus.objects.filter(camera=camera).first()
            print(kind, recorded(camera), status and (status.state, status.reason))
        print(capture_stack.logs())
        raise

    for kind, codec in PLAYABLE.items():
        assert_times_exact(cameras[kind], codec)
        status = CameraStatus.objects.get(camera=cameras[kind])
        assert status.effective_state()[0] == "recording", kind
        assert status.codec == codec
        assert status.audio_dropped == (kind == "audio-video"), kind
    assert CameraStatus.objects.get(camera=cameras["mjpeg"]).camera.segments.first().path.endswith(".mkv")
    one_hour = CameraStatus.objects.get(camera=cameras["rtcp-plus-1h"])
    assert one_hour.clock_source == "arrival" and abs(one_hour.clock_offset_s - 3600) < 1
    never_set = CameraStatus.objects.get(camera=cameras["rtcp-1900"])
    assert never_set.camera_clock_unset and never_set.clock_offset_s is None
    synced = CameraStatus.objects.get(camera=cameras["h264"])
    assert synced.clock_source == "rtcp" and abs(synced.clock_offset_s) < 0.1

    for kind, (state, reason) in FAILING.items():
        status = CameraStatus.objects.get(camera=cameras[kind])
        assert (status.state, status.reason) == (state, reason), kind
        assert not Segment.objects.filter(camera=cameras[kind]).exists(), kind
        assert not list(storage.camera_dir(cameras[kind].pk).rglob("*.*")), f"{kind} left files"


def test_stream_clocks_that_run_slow_or_fast_are_followed_noted_and_alarmed(capture_stack, simulator):
    cameras = {
        rate: CameraFactory(name=kind, rtsp_url=simulator(kind, kind=kind, **PICTURE).url)
        for kind, rate in (("clock-slow", 0.95), ("clock-fast", 1.05))
    }
    capture_stack.dispatcher()
    capture_stack.capture_worker()
    wait_for(
        lambda: all(
            sum(s.duration.total_seconds() for s in Segment.objects.filter(camera=c)) >= 120 for c in cameras.values()
        ),
        timeout=200,
        what="2 minutes of both cameras",
    )
    for rate, camera in cameras.items():
        assert_times_exact(camera, "h264")
        segments = Segment.objects.filter(camera=camera).order_by("start")
        # Noted on the segments: each one's end was moved from the stream's own timing.
        assert all(abs(s.clock_correction_ms) >= 50 for s in list(segments)[2:])
        status = CameraStatus.objects.get(camera=camera)
        assert status.clock_rate == pytest.approx(rate, abs=0.005)
        assert not Gap.objects.filter(camera=camera).exists()
    check_stream_clocks()
    alarmed = set(Alarm.objects.open().filter(kind=AlarmKind.STREAM_CLOCK).values_list("camera_id", flat=True))
    assert alarmed == {c.pk for c in cameras.values()}


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_corrupt_stream_costs_no_more_than_twice_a_healthy_one(capture_stack, simulator):
    """One capture worker, measured while it records only a healthy camera, then only a corrupt one."""
    healthy = CameraFactory(name="healthy", rtsp_url=simulator("healthy", **PICTURE).url)
    corrupt = CameraFactory(
        name="corrupt", rtsp_url=simulator("corrupt", kind="corrupt-rtp", **PICTURE).url, enabled=False
    )
    capture_stack.dispatcher()
    worker = capture_stack.capture_worker()

    def cpu_over(seconds: float) -> float:
        before, deadline = _cpu_seconds(worker.pid), time.monotonic() + seconds
        wait_for(lambda: time.monotonic() > deadline, timeout=seconds + 10, interval=0.5, what="the window")
        return _cpu_seconds(worker.pid) - before

    wait_for(lambda: Segment.objects.filter(camera=healthy).count() >= 2, timeout=30, what="healthy recording")
    used = {"healthy": cpu_over(30)}
    type(healthy).objects.filter(pk=healthy.pk).update(enabled=False)
    type(corrupt).objects.filter(pk=corrupt.pk).update(enabled=True)
    wait_for(lambda: CameraStatus.objects.filter(camera=corrupt, state="error").exists(), timeout=30, what="error")
    used["corrupt"] = cpu_over(30)
    assert not Segment.objects.filter(camera=corrupt).exists()
    assert used["corrupt"] <= 2 * used["healthy"], used


def test_sigterm_ends_the_worker_within_5_s_whatever_its_cameras_do(capture_stack, simulator):
    healthy = [CameraFactory(name=f"healthy {n}", rtsp_url=simulator(f"h{n}", **PICTURE).url) for n in range(3)]
    troubled = [
        CameraFactory(name=kind, rtsp_url=simulator(kind, kind=kind, **PICTURE).url)
        for kind in ("corrupt-rtp", "audio-only", "hang")
    ]
    capture_stack.dispatcher()
    worker = capture_stack.capture_worker()
    wait_for(
        lambda: (
            all(Segment.objects.filter(camera=c).count() >= 2 for c in healthy)
            and CameraStatus.objects.filter(camera__in=troubled, state__in=["error", "offline"]).count() == 3
        ),
        timeout=60,
        what="healthy cameras recording and the troubled ones reporting",
    )
    sent = time.monotonic()
    os.kill(worker.pid, signal.SIGTERM)
    worker.wait(timeout=15)
    assert time.monotonic() - sent <= 5.0, worker.tail(30)
    for camera in healthy:
        segments = list(Segment.objects.filter(camera=camera).order_by("start"))
        last = segments[-1]
        on_disk = sorted(storage.camera_dir(camera.pk).rglob("*.ts"))
        # The segment being written when the signal came is closed and indexed, and it plays.
        assert on_disk[-1] == storage.absolute(last.path)
        assert storage.probe(storage.absolute(last.path)).codec == "h264"
