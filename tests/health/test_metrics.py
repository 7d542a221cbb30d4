"""/metrics: Prometheus text with the families operators alert on, only for allowed scrapers."""

import ipaddress
from datetime import timedelta

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from alarms.choices import AlarmKind, Severity
from alarms.models import Alarm
from cameras.choices import CameraState
from cameras.models import CameraStatus
from tests.factories import CameraFactory, SegmentFactory

pytestmark = pytest.mark.django_db


def _families(content: bytes) -> dict[str, dict[tuple, float]]:
    return {
        family.name: {tuple(sorted(s.labels.items())): s.value for s in family.samples}
        for family in text_string_to_metric_families(content.decode())
    }


def test_metrics_parse_and_carry_cameras_lag_bytes_disk_and_alarms(client, recordings_root):
    now = timezone.now()
    recording, silent = CameraFactory(), CameraFactory()
    CameraFactory(enabled=False)
    CameraFactory()  # no recorder ever reported on it: offline
    CameraStatus.objects.create(camera=recording, state=CameraState.RECORDING, heartbeat_at=now)
    # Reported recording, but its recorder went silent: the one status rule counts it offline.
    CameraStatus.objects.create(camera=silent, state=CameraState.RECORDING, heartbeat_at=now - timedelta(minutes=5))
    SegmentFactory(camera=recording, start=now - timedelta(seconds=14), end=now - timedelta(seconds=10), bytes=700)
    SegmentFactory(camera=silent, start=now - timedelta(seconds=124), end=now - timedelta(seconds=120), bytes=300)
    SegmentFactory(camera=silent, start=now - timedelta(hours=3), end=now - timedelta(hours=3) + timedelta(seconds=4))
    kind = AlarmKind.values[0]
    Alarm.objects.create(kind=kind, severity=Severity.WARNING, camera=silent, started_at=now, updated_at=now)

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    families = _families(response.content)
    cameras = {dict(labels)["state"]: value for labels, value in families["vms_cameras"].items()}
    assert cameras[CameraState.RECORDING] == 1
    assert cameras[CameraState.OFFLINE] == 2
    assert cameras[CameraState.DISABLED] == 1
    assert 120 <= families["vms_indexing_lag_seconds"][()] < 180
    assert families["vms_segment_bytes_last_hour"][()] == 1000
    assert families["vms_recordings_free_bytes"][()] > 0
    assert families["vms_recordings_watermark_bytes"][()] >= 0
    alarms = {dict(labels)["kind"]: value for labels, value in families["vms_open_alarms"].items()}
    assert alarms[kind] == 1
    assert set(alarms) == set(AlarmKind.values)


def test_a_camera_silent_for_days_counts_as_a_day_behind(client, recordings_root):
    """The lag reads only the last day's partitions: older footage means at least that far behind."""
    now = timezone.now()
    SegmentFactory(camera=CameraFactory(), start=now - timedelta(seconds=8), end=now - timedelta(seconds=4))
    SegmentFactory(camera=CameraFactory(), start=now - timedelta(days=3), end=now - timedelta(days=3, seconds=-4))

    families = _families(client.get("/metrics").content)

    assert families["vms_indexing_lag_seconds"][()] == timedelta(days=1).total_seconds()


def test_metrics_refuse_an_address_outside_the_allowed_networks(client, recordings_root):
    response = client.get("/metrics", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 404
    assert b"vms_" not in response.content


def test_metrics_allow_a_configured_network(client, recordings_root, settings):
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("203.0.113.0/24")]
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_metrics_allow_the_bearer_token_from_anywhere_and_only_the_exact_one(client, recordings_root, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    far = {"REMOTE_ADDR": "198.51.100.9"}
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token", **far).status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret", **far).status_code == 404
    assert client.get("/metrics", **far).status_code == 404


def test_without_a_token_setting_an_empty_bearer_is_refused(client, recordings_root, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR="198.51.100.9").status_code == 404
