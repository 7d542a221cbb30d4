"""Whether a camera's recorder is alive is decided once, by CameraStatus: the API, the admin, the status
events and the dashboard read the same state and the same instant the recorder's report goes stale."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cameras.events import status_payload
from cameras.models import Camera, CameraStatus
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NO_RECORDER = "No recorder is reporting for this camera."


def _payload(camera: Camera, now: datetime) -> dict:
    return status_payload(Camera.objects.with_status().get(pk=camera.pk), now)


def test_a_recorders_report_holds_until_stale_at_and_not_a_moment_longer(settings):
    status = CameraStatus.objects.create(camera=CameraFactory(), state="recording", heartbeat_at=NOW)
    stale_at = NOW + timedelta(seconds=settings.STATUS_STALE_SECONDS)
    assert status.stale_at() == stale_at
    assert status.effective_state(stale_at) == ("recording", "")
    assert status.effective_state(stale_at + timedelta(milliseconds=1)) == ("offline", NO_RECORDER)


def test_the_status_event_gives_the_instant_a_recording_tile_goes_stale(settings):
    camera = CameraFactory()
    CameraStatus.objects.create(camera=camera, state="recording", heartbeat_at=NOW, last_segment_end=NOW)
    payload = _payload(camera, NOW + timedelta(seconds=1))
    assert (payload["state"], payload["stale"]) == ("recording", False)
    assert payload["stale_at"] == (NOW + timedelta(seconds=settings.STATUS_STALE_SECONDS)).isoformat()

    later = _payload(camera, NOW + timedelta(seconds=settings.STATUS_STALE_SECONDS + 1))
    assert (later["state"], later["stale"], later["reason_code"]) == ("offline", True, "")


def test_a_tile_in_another_state_is_not_expired_by_the_browser(settings):
    # Heartbeats send no event: the browser would never hear that such a recorder is still alive.
    camera = CameraFactory()
    CameraStatus.objects.create(camera=camera, state="error", reason="The camera ended the stream.", heartbeat_at=NOW)
    payload = _payload(camera, NOW + timedelta(seconds=1))
    assert (payload["state"], payload["stale"], payload["stale_at"]) == ("error", False, None)


def test_a_camera_no_recorder_reported_on_is_stale_and_a_disabled_one_never(settings):
    silent, disabled = CameraFactory(), CameraFactory(enabled=False)
    payload = _payload(silent, NOW)
    assert (payload["state"], payload["stale"], payload["stale_at"]) == ("offline", True, None)
    payload = _payload(disabled, NOW)
    assert (payload["state"], payload["stale"], payload["stale_at"]) == ("disabled", False, None)


def test_the_api_shows_the_same_state_and_stale_at(admin_user, settings):
    heartbeat = timezone.now() - timedelta(seconds=settings.STATUS_STALE_SECONDS + 5)
    camera = CameraFactory()
    CameraStatus.objects.create(camera=camera, state="recording", heartbeat_at=heartbeat)
    client = APIClient()
    client.force_authenticate(admin_user)

    status = client.get(f"/api/cameras/{camera.pk}/").json()["status"]

    assert (status["state"], status["reason"], status["reason_code"]) == ("offline", NO_RECORDER, "no_recorder")
    stale_at = datetime.fromisoformat(status["stale_at"].replace("Z", "+00:00"))
    assert stale_at == heartbeat + timedelta(seconds=settings.STATUS_STALE_SECONDS)
