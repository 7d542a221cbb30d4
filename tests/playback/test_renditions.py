"""Footage of every recorded codec reaches the browser: H.265 and Motion-JPEG segments are served as
recorded (.ts, .mkv) and, for a browser that cannot decode them, as cached H.264 renditions made by ffmpeg
with the original timestamps; snapshots work for every codec."""

import io
import os
import time
from datetime import UTC, datetime, timedelta

import av
import pytest

from accounts.roles import OPERATOR
from playback import renditions
from recordings.capture import storage
from simulator.timecode import read_timecode
from tests.factories import CameraFactory
from tests.support.auth import make_user
from tests.support.footage import HEVC, MJPEG, record_footage

T0 = datetime(2026, 6, 13, 19, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_dir(tmp_path, settings):
    settings.RENDITION_CACHE_DIR = tmp_path / "renditions"
    return settings.RENDITION_CACHE_DIR


@pytest.fixture
def camera(recordings_root, cache_dir, client):
    camera = CameraFactory()
    client.force_login(make_user("operator", OPERATOR, elderships=[camera.eldership]))
    return camera


def decoded(data: bytes) -> tuple[str, list[tuple[int, datetime | None]], object]:
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        frames = [(f.pts, read_timecode(f.to_ndarray(format="gray"))) for f in container.decode(stream)]
        return stream.codec_context.name, frames, stream.time_base


def first_pts_seconds(path) -> float:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        packet = next(p for p in container.demux(stream) if p.pts is not None)
        return float(packet.pts * stream.time_base)


def vod(client, camera, **params):
    query = {"start": T0.isoformat(), "end": (T0 + timedelta(minutes=1)).isoformat(), **params}
    return client.get(f"/playback/cameras/{camera.pk}/vod.m3u8", query)


def uris(response) -> list[str]:
    return [line for line in response.content.decode().splitlines() if line and not line.startswith("#")]


def test_a_browser_that_cannot_decode_the_codec_gets_renditions_in_its_playlist(client, camera):
    hevc = record_footage(camera, HEVC, start=T0, segments=2)
    assert uris(vod(client, camera, playable="h264")) == [f"/playback/renditions/{s.pk}.ts" for s in hevc]
    assert uris(vod(client, camera, playable="h264,hevc")) == [f"/playback/segments/{s.pk}.ts" for s in hevc]
    assert uris(vod(client, camera)) == [f"/playback/segments/{s.pk}.ts" for s in hevc]


def test_motion_jpeg_segments_are_matroska_and_served_as_recorded(client, camera):
    segments = record_footage(camera, MJPEG, start=T0, segments=2)
    assert uris(vod(client, camera)) == [f"/playback/segments/{s.pk}.mkv" for s in segments]
    assert uris(vod(client, camera, playable="h264,hevc")) == [f"/playback/renditions/{s.pk}.ts" for s in segments]
    response = client.get(f"/playback/segments/{segments[0].pk}.mkv")
    assert response.status_code == 200 and response["Content-Type"] == "video/x-matroska"
    body = b"".join(response.streaming_content)
    assert body == storage.absolute(segments[0].path).read_bytes()


def test_an_unknown_codec_in_playable_is_a_clear_400(client, camera):
    record_footage(camera, HEVC, start=T0, segments=1)
    response = vod(client, camera, playable="h264,vp9")
    assert response.status_code == 400 and "playable" in response.json()["error"]


@pytest.mark.parametrize("codec", [HEVC, MJPEG], ids=["hevc", "mjpeg"])
def test_a_rendition_is_h264_with_the_recorded_timestamps_and_pictures(client, camera, codec):
    segment = record_footage(camera, codec, start=T0, segments=1)[0]
    response = client.get(f"/playback/renditions/{segment.pk}.ts")
    assert response.status_code == 200 and response["Content-Type"] == "video/mp2t"
    name, frames, time_base = decoded(b"".join(response.streaming_content))
    assert name == "h264"
    assert len(frames) == 40
    # The original timestamps (-copyts): a playlist mixing renditions and recorded files stays continuous.
    source_start = first_pts_seconds(storage.absolute(segment.path))
    assert abs(float(frames[0][0] * time_base) - source_start) < 0.001
    assert frames[0][1] == T0 and frames[-1][1] == T0 + timedelta(seconds=3.9)
    assert storage.absolute(segment.path).read_bytes()  # the recorded file stays as it was
    assert storage.sha256_of(storage.absolute(segment.path)) == segment.sha256


def test_a_rendition_is_made_once_and_then_served_from_the_cache(client, camera, cache_dir):
    segment = record_footage(camera, HEVC, start=T0, segments=1)[0]
    before = renditions.transcodes
    first = b"".join(client.get(f"/playback/renditions/{segment.pk}.ts").streaming_content)
    assert renditions.transcodes == before + 1
    second = b"".join(client.get(f"/playback/renditions/{segment.pk}.ts").streaming_content)
    assert renditions.transcodes == before + 1
    assert first == second
    assert [p.name for p in cache_dir.iterdir() if p.suffix == ".ts"] == [renditions.cache_path(segment).name]


def test_beyond_the_concurrent_transcodes_a_request_waits_then_gets_503_with_retry_after(client, camera, settings):
    settings.RENDITION_CONCURRENCY = 1
    settings.RENDITION_WAIT_SECONDS = 0.3
    segment = record_footage(camera, HEVC, start=T0, segments=1)[0]
    assert renditions.slots.acquire(timeout=0)  # another request's transcode is running
    try:
        started = time.monotonic()
        response = client.get(f"/playback/renditions/{segment.pk}.ts")
        waited = time.monotonic() - started
        assert response.status_code == 503
        assert response["Retry-After"] == "2"
        assert "busy" in response.json()["error"]
        assert waited >= 0.3
    finally:
        renditions.slots.release()
    assert client.get(f"/playback/renditions/{segment.pk}.ts").status_code == 200


def test_a_rendition_of_a_deleted_file_is_410_with_a_sentence(client, camera):
    segment = record_footage(camera, MJPEG, start=T0, segments=1)[0]
    storage.absolute(segment.path).unlink()
    response = client.get(f"/playback/renditions/{segment.pk}.ts")
    assert response.status_code == 410
    assert response.json()["error"] == "This footage is no longer on this server."
    assert client.get(f"/playback/segments/{segment.pk}.mkv").status_code == 404


def test_renditions_of_other_peoples_cameras_are_404(client, camera):
    other = CameraFactory()
    segment = record_footage(other, HEVC, start=T0, segments=1)[0]
    assert client.get(f"/playback/renditions/{segment.pk}.ts").status_code == 404
    assert client.get(f"/playback/segments/{segment.pk}.ts").status_code == 404


def test_the_cache_drops_the_least_recently_used_beyond_its_size_and_age(camera, cache_dir, settings):
    segments = record_footage(camera, HEVC, start=T0, segments=3)
    paths = [renditions.rendition_file(s) for s in segments]
    now = time.time()
    for age, path in zip([300, 200, 100], paths, strict=True):
        os.utime(path, (now - age, now - age))
    settings.RENDITION_CACHE_MAX_BYTES = paths[1].stat().st_size + paths[2].stat().st_size
    assert renditions.evict(now=now) == 1
    assert [p.exists() for p in paths] == [False, True, True]
    settings.RENDITION_CACHE_MAX_AGE_HOURS = 150 / 3600
    assert renditions.evict(now=now) == 1
    assert [p.exists() for p in paths] == [False, False, True]


@pytest.mark.parametrize("codec", [HEVC, MJPEG], ids=["hevc", "mjpeg"])
def test_snapshots_work_for_every_codec(client, camera, codec):
    # Clips of every codec: tests/playback/test_clips.py.
    record_footage(camera, codec, start=T0, segments=2)
    response = client.get(f"/playback/cameras/{camera.pk}/snapshot.jpg")
    assert response.status_code == 200 and response.content.startswith(b"\xff\xd8")
