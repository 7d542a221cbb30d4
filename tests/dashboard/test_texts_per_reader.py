"""Each dashboard connection reads statuses and alarms in its own reader's language, whoever caused the
event; system-wide conditions arrive once, as the banner, never on the tiles."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from accounts.roles import OPERATOR
from alarms.services import clear_alarm, raise_alarm
from cameras.events import send_status
from cameras.models import CameraStatus
from dashboard.consumers import StatusConsumer
from dashboard.texts import scope_language
from tests.factories import CameraFactory
from tests.support.auth import make_user
from tests.support.eventloop import run_bounded

pytestmark = pytest.mark.django_db(transaction=True)

REFUSED = {
    "lt": "Kamera atmetė naudotojo vardą arba slaptažodį.",
    "lv": "Kamera noraidīja lietotājvārdu vai paroli.",
    "en": "The camera refused the user name or password.",
}
SHORTFALL = {
    "lt": "saugykloje pritrūko vietos",
    "lv": "krātuvē pietrūka vietas",
    "en": "storage ran out",
}
PROJECTION = {"lt": "Dabartiniu tempu saugyklos užteks 0,1 d.", "lv": "krātuvei pietiks 0,1 dienām", "en": "0.1 days"}


def communicator(user, path="/ws/status/", cookies=None, headers=()):
    comm = WebsocketCommunicator(StatusConsumer.as_asgi(), path, headers=list(headers))
    comm.scope["user"] = user
    comm.scope["cookies"] = cookies or {}
    return comm


def test_the_socket_speaks_the_language_of_its_page_then_cookie_then_browser():
    assert scope_language({"query_string": b"lang=lv", "cookies": {"django_language": "en"}}) == "lv"
    assert scope_language({"query_string": b"lang=xx", "cookies": {"django_language": "en"}}) == "en"
    assert scope_language({"headers": [(b"accept-language", b"lv-LV,lv;q=0.9")]}) == "lv"
    assert scope_language({}) == "en"  # LANGUAGE_CODE, which the tests set to English


def test_one_event_reaches_three_readers_each_in_their_own_language(redis_db):
    camera = CameraFactory()
    operators = {lang: make_user(f"op-{lang}", OPERATOR, elderships=[camera.eldership]) for lang in REFUSED}

    async def run():
        comms = {
            "lt": communicator(operators["lt"], headers=[(b"accept-language", b"lt")]),
            "lv": communicator(operators["lv"], "/ws/status/?lang=lv"),
            "en": communicator(operators["en"], cookies={"django_language": "en"}),
        }
        for comm in comms.values():
            assert (await comm.connect())[0]
            snapshot = await comm.receive_json_from(timeout=5)
            assert snapshot["system"] == []

        def fail_and_alarm():
            CameraStatus.objects.update_or_create(
                camera=camera, defaults={"state": "error", "reason": "auth_refused", "heartbeat_at": timezone.now()}
            )
            params = {"camera": camera.name, "held_days": 12.5, "retention_days": 30}
            raise_alarm(kind="retention_shortfall", camera_id=camera.pk, severity="warning", params=params)

        await asyncio.to_thread(fail_and_alarm)
        send_status(camera.pk)
        for lang, comm in comms.items():
            event = await comm.receive_json_from(timeout=5)
            while event["status"]["reason"] == "" or not event["status"]["alarms"]:
                event = await comm.receive_json_from(timeout=5)  # the alarm's own announcement came first
            assert event["status"]["reason"] == REFUSED[lang]
            assert SHORTFALL[lang] in event["status"]["alarms"][0]["message"]
            assert ("12,5" if lang != "en" else "12.5") in event["status"]["alarms"][0]["message"]
        for comm in comms.values():
            await comm.disconnect()

    run_bounded(run())


def test_a_system_alarm_is_one_banner_message_in_each_language_and_not_on_the_tiles(redis_db):
    cameras = [CameraFactory() for _ in range(3)]
    operators = {lang: make_user(f"op-{lang}", OPERATOR, elderships=[cameras[0].eldership]) for lang in ("lt", "lv")}

    async def run():
        comms = {lang: communicator(user, f"/ws/status/?lang={lang}") for lang, user in operators.items()}
        for comm in comms.values():
            assert (await comm.connect())[0]
            await comm.receive_json_from(timeout=5)
        params = {"days": 0.1, "retention_days": 30, "cameras": 3}
        await asyncio.to_thread(
            lambda: raise_alarm(kind="storage_projection", camera_id=None, severity="warning", params=params)
        )
        for lang, comm in comms.items():
            event = await comm.receive_json_from(timeout=5)
            assert event["type"] == "system"
            assert [a["kind"] for a in event["alarms"]] == ["storage_projection"]
            assert PROJECTION[lang] in event["alarms"][0]["message"]
            assert await comm.receive_nothing(timeout=0.3)  # no status event per camera

        # A new connection gets the banner in its snapshot; the tiles carry no copy of it.
        late = communicator(operators["lv"], "/ws/status/?lang=lv")
        assert (await late.connect())[0]
        snapshot = await late.receive_json_from(timeout=5)
        assert [a["kind"] for a in snapshot["system"]] == ["storage_projection"]
        assert all(s["alarms"] == [] for s in snapshot["statuses"])

        await asyncio.to_thread(lambda: clear_alarm(kind="storage_projection", camera_id=None))
        for comm in (*comms.values(), late):
            event = await comm.receive_json_from(timeout=5)
            assert (event["type"], event["alarms"]) == ("system", [])
            await comm.disconnect()

    run_bounded(run())
