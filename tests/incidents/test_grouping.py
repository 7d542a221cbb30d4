"""One incident per failure, grouped while a camera flaps; the recovery notice waits for the quiet period;
an unacknowledged incident is announced again (the clock driven by `now`, as the beat task passes it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.choices import IncidentKind, Notice
from incidents.detection import Condition
from incidents.models import Incident
from incidents.services import step

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


def at(seconds: float):
    return T0 + timedelta(seconds=seconds)


def fail(camera, now, since=0.0):
    return step(camera_id=camera.pk, kind=IncidentKind.OFFLINE, condition=Condition(True, at(since)), now=now)


def well(camera, now, since=None):
    condition = Condition(False, at(since) if since is not None else None)
    return step(camera_id=camera.pk, kind=IncidentKind.OFFLINE, condition=condition, now=now)


def test_a_failure_shorter_than_the_grace_is_no_incident(camera, settings):
    settings.INCIDENT_GRACE_SECONDS = 20
    assert fail(camera, at(19)) is None
    assert not Incident.objects.exists()
    change = fail(camera, at(20))
    assert change.notice == Notice.FAILED
    incident = Incident.objects.get()
    assert incident.started_at == at(0) and incident.is_failing and incident.notifications == 1


def test_a_flapping_camera_is_one_incident_with_one_alert_and_one_recovery_notice(camera, settings):
    settings.INCIDENT_GRACE_SECONDS = 5
    settings.INCIDENT_QUIET_SECONDS = 60
    notices = []
    # Off 10 s, on 10 s, for two minutes; checked every 2 s.
    for t in range(0, 120, 2):
        off = (t // 10) % 2 == 0
        period_start = t - t % 10
        change = fail(camera, at(t), since=period_start) if off else well(camera, at(t), since=period_start)
        if change and change.notice:
            notices.append(change.notice)
    incident = Incident.objects.get()
    assert incident.flaps == 5  # failed again at 20, 40, 60, 80, 100 s
    assert notices == [Notice.FAILED]
    # Well from 110 s: the recovery notice once the quiet period has passed, not before.
    assert well(camera, at(110 + 59)) is None
    change = well(camera, at(110 + 60))
    assert change.notice == Notice.RECOVERED
    incident.refresh_from_db()
    assert incident.ended_at == at(110) and incident.started_at == at(0)
    assert Incident.objects.count() == 1


def test_a_failure_after_the_quiet_period_is_a_new_incident(camera, settings):
    settings.INCIDENT_GRACE_SECONDS = 0
    settings.INCIDENT_QUIET_SECONDS = 30
    fail(camera, at(0))
    well(camera, at(10), since=10)
    well(camera, at(40))
    change = fail(camera, at(50), since=50)
    assert change.notice == Notice.FAILED
    assert Incident.objects.count() == 2


def test_an_unacknowledged_incident_is_announced_again_and_an_acknowledged_one_is_not(
    camera, settings, django_user_model
):
    settings.INCIDENT_GRACE_SECONDS = 0
    settings.INCIDENT_RENOTIFY_MINUTES = 30
    fail(camera, at(0))
    assert fail(camera, at(30 * 60 - 1)) is None
    assert fail(camera, at(30 * 60)).notice == Notice.REMINDER
    assert fail(camera, at(45 * 60)) is None
    assert fail(camera, at(60 * 60)).notice == Notice.REMINDER
    incident = Incident.objects.get()
    assert incident.notifications == 3
    incident.acknowledged_at = at(61 * 60)
    incident.save()
    assert fail(camera, at(10 * 60 * 60)) is None


def test_an_unknown_condition_changes_nothing(camera):
    fail(camera, at(100))
    assert step(camera_id=camera.pk, kind=IncidentKind.OFFLINE, condition=None, now=at(200)) is None
    assert Incident.objects.get().is_failing
