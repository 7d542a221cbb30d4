"""Email to the staff who may see the camera (and INCIDENT_ALERT_EMAILS), a JSON webhook, one message per
detection run however many cameras failed; a webhook that fails is logged and changes nothing."""

import logging

import pytest
from django.utils import timezone

from accounts.roles import OPERATOR, POLICE, REVIEWER
from incidents import notify, tasks
from incidents.choices import IncidentKind, Notice
from incidents.models import Incident
from simulator.fleet import free_port
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import make_user
from tests.support.webhook import WebhookReceiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    north, south = EldershipFactory(name="Pabiržės"), EldershipFactory(name="Vabalninko")
    cameras = [CameraFactory(eldership=north, name="Pabiržė 1"), CameraFactory(eldership=north, name="Pabiržė 2")]
    make_user("north_operator", OPERATOR, elderships=[north])
    make_user("south_operator", OPERATOR, elderships=[south])
    make_user("reviewer", REVIEWER)
    make_user("police", POLICE)
    silent = make_user("no_address", OPERATOR, elderships=[north])
    silent.email = ""
    silent.save()
    return cameras


def incident(camera, **fields):
    fields.setdefault("started_at", timezone.now())
    return Incident.objects.create(camera=camera, kind=IncidentKind.OFFLINE, **fields)


def test_recipients_are_staff_who_may_see_the_camera_plus_the_configured_addresses(world, settings):
    settings.INCIDENT_ALERT_EMAILS = ["desk@contractor.example"]
    assert notify.recipients(world[0]) == [
        "desk@contractor.example",
        "north_operator@example.org",
        "reviewer@example.org",
    ]


def test_two_cameras_failing_in_one_run_are_one_email_per_recipient(world, mailbox):
    first, second = incident(world[0]), incident(world[1])
    tasks.deliver_notices([[first.pk, Notice.FAILED], [second.pk, Notice.FAILED]])
    operator_mail = mailbox.to("north_operator@example.org")
    assert len(operator_mail) == 1 and len(mailbox.messages) == 2  # operator and reviewer
    body = mailbox.body(operator_mail[0])
    assert "Pabiržė 1" in body and "Pabiržė 2" in body
    assert f"/incidents/{first.pk}/" in body
    assert operator_mail[0]["X-VMS-Notices"] == "failed,failed"


def test_the_recovery_notice_says_how_long_and_that_flaps_were_grouped(world, mailbox, settings):
    settings.LANGUAGE_CODE = "en"
    started = timezone.now() - timezone.timedelta(minutes=12)
    done = incident(world[0], flaps=4, started_at=started, ended_at=timezone.now())
    tasks.deliver_notices([[done.pk, Notice.RECOVERED]])
    message = mailbox.wait_for(lambda m: "reviewer" in str(m["To"]), what="the recovery notice")
    assert "recovered" in message["Subject"].lower()
    body = mailbox.body(message)
    assert "(12 min)" in body and "4 times" in body


def test_the_webhook_gets_the_changes_as_json(world, settings):
    with WebhookReceiver() as hook:
        settings.INCIDENT_WEBHOOK_URL = hook.url
        failed = incident(world[0])
        tasks.deliver_notices([[failed.pk, Notice.FAILED]])
        event = hook.wait_for_event(Notice.FAILED, timeout=5)
    assert event["incident"]["id"] == failed.pk
    assert event["incident"]["camera"] == "Pabiržė 1" and event["incident"]["kind"] == "offline"
    assert event["incident"]["state"] == "failing" and event["incident"]["url"].endswith(f"/incidents/{failed.pk}/")


def test_a_webhook_that_fails_is_logged_and_the_email_still_goes(world, settings, mailbox, caplog):
    settings.INCIDENT_WEBHOOK_URL = f"http://127.0.0.1:{free_port()}/nobody-listens"
    settings.INCIDENT_WEBHOOK_TIMEOUT_SECONDS = 1
    failed = incident(world[0])
    with caplog.at_level(logging.ERROR, logger="incidents.notify"):
        tasks.deliver_notices([[failed.pk, Notice.FAILED]])
    assert "incident webhook not delivered" in caplog.text
    assert mailbox.to("north_operator@example.org")


def test_a_webhook_that_hangs_gives_up_after_its_timeout(world, settings):
    import socket
    import time

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.INCIDENT_WEBHOOK_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        settings.INCIDENT_WEBHOOK_TIMEOUT_SECONDS = 0.5
        started = time.monotonic()
        assert notify.webhook([(incident(world[0]), Notice.FAILED)]) is False
        assert time.monotonic() - started < 3


def test_each_recipient_gets_the_alert_in_their_preferred_language(world, mailbox, settings):
    from django.contrib.auth import get_user_model

    from accounts.languages import set_preferred_language

    settings.INCIDENT_ALERT_EMAILS = ["desk@contractor.example"]
    settings.LANGUAGE_CODE = "lt"  # the product's (tests read English by default: tests/conftest.py)
    set_preferred_language(get_user_model().objects.get(username="north_operator"), "lv")
    set_preferred_language(get_user_model().objects.get(username="reviewer"), "en")
    tasks.deliver_notices([[incident(world[0]).pk, Notice.FAILED]])
    [latvian] = mailbox.to("north_operator@example.org")
    assert latvian["Subject"].strip() == "[Biržai VMS] Kameras darbības traucējums: Pabiržė 1 – Kamera nedarbojas"
    [english] = mailbox.to("reviewer@example.org")
    assert english["Subject"].strip() == "[Biržai VMS] Camera failed: Pabiržė 1 – Camera offline"
    # An address of no user is written in the installation's language (lt).
    [desk] = mailbox.to("desk@contractor.example")
    assert desk["Subject"].strip().startswith("[Biržai VMS] Kamera sutriko: Pabiržė 1")
