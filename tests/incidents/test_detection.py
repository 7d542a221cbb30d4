"""The beat task reads the recorder's truth (CameraStatus, the newest Segment) and opens and ends incidents."""

from datetime import timedelta

import numpy as np
import pytest
import time_machine
from django.utils import timezone

from cameras.choices import CameraState
from incidents import frozen, tasks
from incidents.choices import IncidentKind, Notice
from incidents.models import Incident
from tests.factories import CameraFactory, SegmentFactory

from .conftest import report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _short(settings, redis_db):
    settings.INCIDENT_GRACE_SECONDS = 10
    settings.INCIDENT_NOT_WRITING_SECONDS = 30
    settings.INCIDENT_QUIET_SECONDS = 0


def segment_ending(camera, seconds_ago: float):
    end = timezone.now() - timedelta(seconds=seconds_ago)
    return SegmentFactory(camera=camera, start=end - timedelta(seconds=4), end=end)


def test_a_recording_camera_has_no_incident(camera, queued):
    report(camera, ago=2)
    segment_ending(camera, 3)
    assert tasks.detect_incidents() == 0
    assert not Incident.objects.exists() and queued == []


def test_a_silent_recorder_is_an_offline_incident_from_its_last_heartbeat(camera, queued):
    report(camera, ago=14)  # not stale yet (STATUS_STALE_SECONDS = 15)
    segment_ending(camera, 14)
    tasks.detect_incidents()
    assert not Incident.objects.exists()
    report(camera, ago=16)
    heartbeat = camera.status.__class__.objects.get(camera=camera).heartbeat_at
    tasks.detect_incidents()
    incident = Incident.objects.get()
    assert incident.kind == IncidentKind.OFFLINE and incident.started_at == heartbeat
    assert queued == [[[incident.pk, Notice.FAILED]]]


def test_a_lost_stream_is_offline_after_the_grace_and_recovers_when_recording_again(camera, queued):
    report(camera, state=CameraState.OFFLINE, ago=1, since_ago=9, reason="Connection refused")
    tasks.detect_incidents()
    assert not Incident.objects.exists()
    report(camera, state=CameraState.OFFLINE, ago=1, since_ago=11, reason="Connection refused")
    tasks.detect_incidents()
    incident = Incident.objects.get(kind=IncidentKind.OFFLINE)
    assert incident.detail == "Connection refused"
    report(camera, ago=1, since_ago=3)
    segment_ending(camera, 1)
    tasks.detect_incidents()  # recovered; quiet period 0: ended at the next run
    tasks.detect_incidents()
    incident.refresh_from_db()
    assert incident.ended_at is not None and abs((timezone.now() - incident.ended_at).total_seconds() - 3) < 2
    assert [n for run in queued for _i, n in run] == [Notice.FAILED, Notice.RECOVERED]


def test_a_recorder_that_reports_but_writes_nothing_is_not_writing(camera, queued):
    report(camera, ago=1)
    segment_ending(camera, 31)
    tasks.detect_incidents()
    incident = Incident.objects.get()
    assert incident.kind == IncidentKind.NOT_WRITING
    assert not Incident.objects.filter(kind=IncidentKind.OFFLINE).exists()


def test_footage_from_before_an_outage_does_not_count_as_not_writing(camera, queued):
    report(camera, ago=1, since_ago=5)  # recording again for 5 s; the newest segment is from before
    segment_ending(camera, 300)
    tasks.detect_incidents()
    assert not Incident.objects.exists()


def test_a_new_camera_gets_a_minute_for_its_first_report(queued):
    camera = CameraFactory()
    tasks.detect_incidents()
    assert not Incident.objects.exists()
    type(camera).objects.filter(pk=camera.pk).update(created_at=timezone.now() - timedelta(seconds=61))
    tasks.detect_incidents()
    assert Incident.objects.get().kind == IncidentKind.OFFLINE


def test_a_disabled_camera_s_incident_ends_without_a_notice(camera, queued):
    report(camera, ago=60)
    tasks.detect_incidents()
    incident = Incident.objects.get()
    type(camera).objects.filter(pk=camera.pk).update(enabled=False)
    tasks.detect_incidents()
    incident.refresh_from_db()
    assert incident.ended_at is not None
    assert [n for run in queued for _i, n in run] == [Notice.FAILED]


def test_the_same_picture_is_unchanged_and_a_moved_square_or_an_overlay_digit_is_a_change():
    rng = np.random.default_rng(1)
    picture = rng.integers(40, 200, size=(frozen.HEIGHT, frozen.WIDTH), dtype=np.uint8)
    noisy = np.clip(picture.astype(int) + rng.integers(-3, 4, size=picture.shape), 0, 255).astype(np.uint8)
    assert not frozen.changed(picture, picture)
    assert not frozen.changed(picture, noisy)  # compression noise
    digit = picture.copy()
    digit[2:8, 2:6] = 255  # about one character of a clock overlay
    assert frozen.changed(picture, digit)


def test_an_unacknowledged_incident_is_announced_again_after_the_renotify_time(camera, queued, settings):
    settings.INCIDENT_RENOTIFY_MINUTES = 60
    report(camera, ago=60)
    tasks.detect_incidents()
    incident = Incident.objects.get()
    with time_machine.travel(timezone.now() + timedelta(minutes=59)):
        report(camera, ago=60)
        tasks.detect_incidents()
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        report(camera, ago=60)
        tasks.detect_incidents()
    assert queued == [[[incident.pk, Notice.FAILED]], [[incident.pk, Notice.REMINDER]]]
    incident.refresh_from_db()
    assert incident.notifications == 2


def test_a_camera_enabled_again_gets_a_minute_before_its_old_status_counts(camera, queued):
    report(camera, state=CameraState.DISABLED, ago=3 * 86400, since_ago=3 * 86400)
    type(camera).objects.filter(pk=camera.pk).update(updated_at=timezone.now() - timedelta(seconds=30))
    tasks.detect_incidents()
    assert not Incident.objects.exists()
    type(camera).objects.filter(pk=camera.pk).update(updated_at=timezone.now() - timedelta(seconds=61))
    tasks.detect_incidents()
    assert Incident.objects.get().kind == IncidentKind.OFFLINE


def test_a_silent_recorder_of_a_camera_just_changed_counts_from_the_change(camera, queued):
    report(camera, ago=3600)
    type(camera).objects.filter(pk=camera.pk).update(updated_at=timezone.now() - timedelta(seconds=5))
    tasks.detect_incidents()
    assert not Incident.objects.exists()
