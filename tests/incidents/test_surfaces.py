"""Where incidents show: the camera's timeline JSON, the dashboard's websocket (only to those who may see
the camera), the overview, /metrics; and the JSON log lines of LOG_FORMAT=json."""

import asyncio
import json
import logging
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts.roles import OPERATOR
from birzai_vms.logformat import JsonFormatter
from dashboard.consumers import StatusConsumer
from incidents import notify
from incidents.choices import IncidentKind
from incidents.models import Incident
from playback import services
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import log_in_verified, make_user
from tests.support.eventloop import run_bounded

T0 = datetime(2026, 6, 13, 9, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_the_day_timeline_carries_the_camera_s_incidents_open_and_ended():
    camera = CameraFactory()
    ended = Incident.objects.create(
        camera=camera, kind=IncidentKind.OFFLINE, started_at=T0, ended_at=T0 + timedelta(seconds=22)
    )
    still = Incident.objects.create(camera=camera, kind=IncidentKind.FROZEN, started_at=T0 + timedelta(hours=2))
    Incident.objects.create(
        camera=camera,
        kind=IncidentKind.OFFLINE,
        started_at=T0 - timedelta(days=3),
        ended_at=T0 - timedelta(days=3) + timedelta(minutes=1),
    )
    Incident.objects.create(camera=CameraFactory(), kind=IncidentKind.OFFLINE, started_at=T0)
    day = services.day_timeline(camera=camera, day=date(2026, 6, 13))
    assert day["incidents"] == [
        {
            "id": ended.pk,
            "kind": "offline",
            "label": "Camera offline",
            "start": 1781341200000,
            "end": 1781341222000,
            "acknowledged": False,
        },
        {
            "id": still.pk,
            "kind": "frozen",
            "label": "Picture frozen",
            "start": 1781348400000,
            "end": None,
            "acknowledged": False,
        },
    ]


@pytest.mark.django_db(transaction=True)
def test_an_incident_event_reaches_only_those_who_may_see_the_camera(redis_db):
    mine, theirs = CameraFactory(), CameraFactory(eldership=EldershipFactory())
    operator = make_user("operator", OPERATOR, elderships=[mine.eldership])
    other = Incident.objects.create(camera=theirs, kind=IncidentKind.OFFLINE, started_at=timezone.now())
    own = Incident.objects.create(camera=mine, kind=IncidentKind.FROZEN, started_at=timezone.now())

    async def run():
        comm = WebsocketCommunicator(StatusConsumer.as_asgi(), "/ws/status/")
        comm.scope["user"] = operator
        connected, _ = await comm.connect()
        assert connected
        assert (await comm.receive_json_from(timeout=5))["type"] == "snapshot"
        await asyncio.to_thread(notify.to_dashboards, [other.pk, own.pk])
        event = await comm.receive_json_from(timeout=5)
        assert event["type"] == "incident"
        assert event["incident"]["id"] == own.pk and event["incident"]["kind"] == "frozen"
        assert event["incident"]["state"] == "failing"
        assert await comm.receive_nothing(timeout=0.5)  # not the other eldership's
        await comm.disconnect()

    run_bounded(run())


@pytest.mark.django_db
def test_the_overview_lists_the_open_incidents_of_one_s_cameras(client):
    mine, theirs = CameraFactory(name="Mine"), CameraFactory(name="Theirs", eldership=EldershipFactory())
    operator = make_user("operator", OPERATOR, elderships=[mine.eldership])
    Incident.objects.create(camera=mine, kind=IncidentKind.NOT_WRITING, started_at=timezone.now())
    Incident.objects.create(camera=theirs, kind=IncidentKind.OFFLINE, started_at=timezone.now())
    log_in_verified(client, operator)
    body = client.get("/dashboard/").content.decode()
    assert 'id="incident-alerts"' in body and "Mine: No new recordings" in body
    assert "Theirs: Camera offline" not in body


@pytest.mark.django_db
def test_metrics_count_open_incidents_by_kind(client, recordings_root):
    camera = CameraFactory()
    Incident.objects.create(camera=camera, kind=IncidentKind.FROZEN, started_at=T0)
    Incident.objects.create(camera=camera, kind=IncidentKind.OFFLINE, started_at=T0, ended_at=T0 + timedelta(1))
    text = client.get("/metrics").content.decode()
    assert 'vms_open_incidents{kind="frozen"} 1.0' in text
    assert 'vms_open_incidents{kind="offline"} 0.0' in text
    assert 'vms_open_incidents{kind="not_writing"} 0.0' in text


def test_json_log_lines_are_one_object_with_extras_and_the_exception():
    logger = logging.getLogger("test.json")
    record = logger.makeRecord(
        "test.json", logging.ERROR, __file__, 1, "camera %s failed", (7,), None, extra={"camera_id": 7}
    )
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR" and entry["logger"] == "test.json" and entry["message"] == "camera 7 failed"
    assert entry["camera_id"] == 7 and "ValueError: boom" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def formatter_of(env: dict[str, str]) -> str:
    """The console log formatter the settings choose in a fresh process with this environment."""
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.LOGGING['handlers']['console']['formatter'])"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)
    return result.stdout.strip()


def test_log_format_is_plain_unless_asked_and_json_when_asked():
    assert formatter_of({"VMS_MODE": "test"}) == "plain"
    assert formatter_of({"VMS_MODE": "test", "LOG_FORMAT": "json"}) == "json"
