"""A staff clip is an export: the request only starts it (no ffmpeg in the request thread), a worker copies
the recorded packets, the page follows its progress, and the download (by its maker only, while the camera
is theirs to see) is audited as a clip download."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from accounts.roles import OPERATOR
from audit.models import AuditEntry
from exports.choices import ExportKind, ExportState
from exports.models import Export
from exports.tasks import build_export
from tests.factories import CameraFactory
from tests.playback.test_renditions import decoded
from tests.retention.conftest import integrity_key  # noqa: F401
from tests.support.auth import make_user
from tests.support.footage import H264, HEVC, MJPEG, record_footage

T0 = datetime(2026, 6, 13, 19, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def camera(recordings_root, integrity_key, tmp_path, settings, client):  # noqa: F811
    settings.EXPORTS_ROOT = tmp_path / "exports"
    camera = CameraFactory()
    client.force_login(make_user("operator", OPERATOR, elderships=[camera.eldership]))
    return camera


def window(seconds: float) -> dict[str, str]:
    return {"start": T0.isoformat(), "end": (T0 + timedelta(seconds=seconds)).isoformat()}


def start_clip(client, camera, seconds: float = 8) -> dict:
    response = client.post(f"/playback/cameras/{camera.pk}/clip/", window(seconds), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 202, response.content
    return response.json()


@pytest.mark.parametrize("codec", [H264, HEVC, MJPEG], ids=lambda c: c.name)
def test_a_clip_is_an_export_built_by_a_worker_and_downloaded_as_a_package(client, camera, codec):
    record_footage(camera, codec, start=T0, segments=2)
    answer = start_clip(client, camera)
    export = Export.objects.get(pk=answer["export"])
    assert (export.kind, export.state, export.created_by.username) == (ExportKind.CLIP, ExportState.QUEUED, "operator")
    assert AuditEntry.objects.get(action="export_created").camera_id == camera.pk
    page = client.get(answer["status_url"])
    assert page.status_code == 200 and answer["websocket"].encode() in page.content
    assert client.get(answer["download_url"]).status_code == 409  # not built yet

    build_export(export.pk)  # what the worker runs
    response = client.get(answer["download_url"], REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        video = next(n for n in archive.namelist() if n.startswith("video/"))
        name, frames, _ = decoded(archive.read(video))
    assert name == codec.name
    assert len(frames) == 80
    assert frames[0][1] == T0
    entry = AuditEntry.objects.get(action="clip_download")
    assert (entry.camera_id, entry.ip_address, entry.details["start"]) == (camera.pk, "10.1.2.3", T0.isoformat())


def test_another_users_clip_is_not_found(client, camera):
    record_footage(camera, H264, start=T0, segments=2)
    answer = start_clip(client, camera)
    build_export(answer["export"])
    client.force_login(make_user("colleague", OPERATOR, elderships=[camera.eldership]))
    assert client.get(answer["status_url"]).status_code == 404
    assert client.get(answer["download_url"]).status_code == 404
    assert not AuditEntry.objects.filter(action="clip_download").exists()


def test_bad_requests_are_refused_with_a_reason(client, camera):
    record_footage(camera, H264, start=T0, segments=2)
    url = f"/playback/cameras/{camera.pk}/clip/"
    assert client.get(url, window(8)).status_code == 405
    too_long = client.post(url, window(16 * 60))
    assert too_long.status_code == 400 and "15 minutes" in too_long.json()["error"]
    nothing = client.post(url, {"start": "2026-06-14T19:00:00+00:00", "end": "2026-06-14T19:00:08+00:00"})
    assert nothing.status_code == 404
    assert not Export.objects.exists()
