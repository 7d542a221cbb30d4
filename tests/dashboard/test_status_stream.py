"""The /ws/status/ stream: login on connect, visibility on every event, changes pushed within a second."""

import asyncio
import time

import pytest
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from accounts.roles import OPERATOR
from cameras.events import send_status
from cameras.models import CameraStatus
from dashboard.consumers import StatusConsumer
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import make_user
from tests.support.eventloop import run_bounded

pytestmark = pytest.mark.django_db(transaction=True)


def communicator(user):
    comm = WebsocketCommunicator(StatusConsumer.as_asgi(), "/ws/status/")
    comm.scope["user"] = user
    return comm


def test_an_anonymous_connection_is_refused(redis_db):
    async def run():
        comm = communicator(AnonymousUser())
        connected, code = await comm.connect()
        assert not connected
        assert code == 4401

    run_bounded(run())


def test_an_administrator_without_the_second_factor_is_refused(redis_db):
    from accounts.roles import ADMINISTRATOR

    admin = make_user("chief", ADMINISTRATOR)

    async def run():
        comm = communicator(admin)
        comm.scope["session"] = {}  # logged in with the password only
        connected, code = await comm.connect()
        assert not connected
        assert code == 4403

    run_bounded(run())


def test_a_police_login_is_refused(redis_db):
    from accounts.roles import POLICE

    officer = make_user("tyrejas", POLICE)

    async def run():
        comm = communicator(officer)
        connected, code = await comm.connect()
        assert not connected
        assert code == 4403

    run_bounded(run())


def test_a_status_change_reaches_the_operator_within_a_second_and_only_for_their_cameras(redis_db):
    mine, theirs = CameraFactory(), CameraFactory(eldership=EldershipFactory())
    operator = make_user("operator", OPERATOR, elderships=[mine.eldership])

    async def run():
        comm = communicator(operator)
        connected, _ = await comm.connect()
        assert connected
        snapshot = await comm.receive_json_from(timeout=5)
        assert snapshot["type"] == "snapshot"
        assert [s["camera_id"] for s in snapshot["statuses"]] == [mine.pk]
        assert snapshot["statuses"][0]["state"] == "offline"  # no recorder has ever reported

        await asyncio.to_thread(
            lambda: CameraStatus.objects.update_or_create(
                camera=theirs, defaults={"state": "recording", "heartbeat_at": time_now()}
            )
        )
        send_status(theirs.pk)
        await asyncio.to_thread(
            lambda: CameraStatus.objects.update_or_create(
                camera=mine, defaults={"state": "error", "reason": "auth_refused", "heartbeat_at": time_now()}
            )
        )
        sent = time.monotonic()
        send_status(mine.pk)
        event = await comm.receive_json_from(timeout=5)
        assert time.monotonic() - sent < 1.0
        assert event["type"] == "status"
        assert event["status"]["camera_id"] == mine.pk  # the other camera's event never arrived
        assert event["status"]["state"] == "error"
        assert event["status"]["reason"] == "The camera refused the user name or password."
        assert await comm.receive_nothing(timeout=0.5)
        await comm.disconnect()

    run_bounded(run())


def time_now():
    from django.utils import timezone

    return timezone.now()


def test_open_alarms_of_a_camera_are_part_of_its_status(redis_db):
    from alarms.services import clear_alarm, raise_alarm
    from cameras.events import status_payload
    from cameras.models import Camera

    camera = CameraFactory()
    params = {"camera": camera.name, "held_days": 21.0, "retention_days": 30}
    alarm = raise_alarm(kind="retention_shortfall", camera_id=camera.pk, severity="warning", params=params)
    payload = status_payload(Camera.objects.with_status().get(pk=camera.pk))
    # Codes and figures only: each connection renders the text in its own reader's language.
    assert payload["alarms"] == [
        {"id": alarm.pk, "kind": "retention_shortfall", "severity": "warning", "params": params}
    ]
    clear_alarm(kind="retention_shortfall", camera_id=camera.pk)
    assert status_payload(Camera.objects.with_status().get(pk=camera.pk))["alarms"] == []


def test_segment_progress_waits_for_the_tick_and_a_state_change_does_not(redis_db):
    from cameras.events import PROGRESS_INTERVAL_S, send_progress

    camera = CameraFactory()
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])

    async def run():
        comm = communicator(operator)
        connected, _ = await comm.connect()
        assert connected
        await comm.receive_json_from(timeout=5)  # the snapshot
        await asyncio.to_thread(
            lambda: CameraStatus.objects.update_or_create(
                camera=camera, defaults={"state": "recording", "heartbeat_at": time_now()}
            )
        )
        send_progress(camera.pk)
        event = await comm.receive_json_from(timeout=PROGRESS_INTERVAL_S + 2)
        assert event["status"]["camera_id"] == camera.pk
        assert event["status"]["state"] == "recording"

        # Progress queued again waits for the next tick; a change of state meanwhile goes at once and
        # carries the newest status, so the queued progress is not sent a second time.
        send_progress(camera.pk)
        await asyncio.to_thread(
            lambda: CameraStatus.objects.filter(camera=camera).update(state="error", reason="auth_refused")
        )
        sent = time.monotonic()
        send_status(camera.pk)
        event = await comm.receive_json_from(timeout=5)
        assert time.monotonic() - sent < 1.0
        assert event["status"]["state"] == "error"
        assert await comm.receive_nothing(timeout=PROGRESS_INTERVAL_S + 0.5)
        await comm.disconnect()

    run_bounded(run())
