"""Real simulated cameras, real capture and default workers (with beat), a real SMTP server and a local
webhook receiver: a stopped camera is an incident and an email within 60 s, its return a recovery notice;
a frozen picture is found; a camera toggled every 10 s for 2 minutes is one incident and two emails."""

import time

import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from cameras.models import CameraStatus
from incidents.choices import IncidentKind, Notice
from incidents.models import Incident
from tests.factories import CameraFactory
from tests.recordings.footage import recorded_seconds
from tests.support.auth import make_user
from tests.support.scenario import hold
from tests.support.waiting import wait_for
from tests.support.webhook import WebhookReceiver

pytestmark = pytest.mark.slow

OPERATOR_EMAIL = "budintis@example.org"


def worker_env(mailbox, **settings: object) -> dict[str, str]:
    """The default worker's settings: intervals as short as the settings allow, so real-time waits stay short."""
    env = {
        "EMAIL_URL": mailbox.url,
        "INCIDENT_CHECK_INTERVAL_SECONDS": "2",
        "INCIDENT_GRACE_SECONDS": "3",
        "INCIDENT_QUIET_SECONDS": "5",
        "INCIDENT_FROZEN_SECONDS": "8",
    }
    return env | {key: str(value) for key, value in settings.items()}


def start(capture_stack, simulator, mailbox, *, kind: str = "h264", name: str = "Vytauto g. 1", **settings):
    camera_sim = simulator(name, kind=kind)
    camera = CameraFactory(name=name, rtsp_url=camera_sim.url)
    operator = make_user("budintis", OPERATOR, elderships=[camera.eldership])
    operator.email = OPERATOR_EMAIL
    operator.save()
    capture_stack.capture_worker()
    capture_stack.dispatcher(env=worker_env(mailbox, **settings))
    wait_for(lambda: recorded_seconds(camera) >= 4, timeout=60, what="recording")
    return camera_sim, camera


def notices(mailbox) -> list[str]:
    return [n for m in mailbox.to(OPERATOR_EMAIL) for n in str(m["X-VMS-Notices"]).split(",")]


def test_a_stopped_camera_is_an_incident_and_an_email_within_60_s_and_its_return_a_recovery_notice(
    capture_stack, simulator, mailbox
):
    with WebhookReceiver() as hook:
        camera_sim, camera = start(capture_stack, simulator, mailbox, INCIDENT_WEBHOOK_URL=hook.url)
        assert not Incident.objects.exists()

        stopped = time.monotonic()
        camera_sim.stop()
        alert = mailbox.wait_for(lambda m: "failed" in str(m["X-VMS-Notices"]), timeout=60, what="the alert email")
        assert time.monotonic() - stopped < 60, capture_stack.logs()
        incident = Incident.objects.get(camera=camera)
        assert incident.kind == IncidentKind.OFFLINE and incident.is_failing
        assert "Vytauto g. 1" in alert["Subject"] and f"/incidents/{incident.pk}/" in mailbox.body(alert)
        assert hook.wait_for_event(Notice.FAILED, timeout=10)["incident"]["id"] == incident.pk

        camera_sim.start()
        recovery = mailbox.wait_for(
            lambda m: "recovered" in str(m["X-VMS-Notices"]), timeout=60, what="the recovery notice"
        )
        # In the installation's language, Lithuanian.
        assert "Kamera vėl veikia: Vytauto g. 1" in recovery["Subject"]
        assert hook.wait_for_event(Notice.RECOVERED, timeout=10)["incident"]["state"] == "ended"
    incident.refresh_from_db()
    status = CameraStatus.objects.get(camera=camera)
    assert incident.ended_at is not None and incident.ended_at <= timezone.now()
    assert status.state == "recording"
    assert notices(mailbox) == ["failed", "recovered"]
    assert Incident.objects.count() == 1


def test_a_camera_sending_one_unchanging_picture_is_frozen_and_a_live_one_is_not(capture_stack, simulator, mailbox):
    live_sim = simulator("Live")
    live = CameraFactory(name="Live", rtsp_url=live_sim.url)
    _frozen_sim, camera = start(capture_stack, simulator, mailbox, kind="frozen", name="Frozen")
    recording = timezone.now()
    incident = wait_for(
        lambda: Incident.objects.filter(camera=camera, kind=IncidentKind.FROZEN).first(),
        timeout=60,
        what="a frozen-picture incident",
    )
    assert (timezone.now() - recording).total_seconds() < 60
    assert mailbox.wait_for(lambda m: "Vaizdas sustingęs" in m["Subject"], timeout=20, what="the frozen alert")
    # The live camera recorded all along and was compared as often: never frozen.
    assert recorded_seconds(live) >= 12
    assert not Incident.objects.filter(camera=live).exists(), capture_stack.logs()
    assert not Incident.objects.filter(camera=camera).exclude(pk=incident.pk).exists()


def test_a_camera_toggled_every_10_s_for_2_minutes_is_one_incident_and_two_emails(capture_stack, simulator, mailbox):
    camera_sim, camera = start(capture_stack, simulator, mailbox, INCIDENT_QUIET_SECONDS="30")
    began = time.monotonic()
    while time.monotonic() - began < 120:
        camera_sim.stop()
        hold(10)
        camera_sim.start()
        hold(10)
    mailbox.wait_for(lambda m: "recovered" in str(m["X-VMS-Notices"]), timeout=90, what="the recovery notice")
    incident = Incident.objects.get(camera=camera)
    assert incident.kind == IncidentKind.OFFLINE and incident.ended_at is not None
    assert incident.flaps >= 4, incident.flaps
    assert notices(mailbox) == ["failed", "recovered"]
    # The recovery notice says it flapped ("… vėl sutriko 5 kartus …").
    assert f"vėl sutriko {incident.flaps} kart" in mailbox.body(mailbox.to(OPERATOR_EMAIL)[-1])
