"""A dead Celery process is one banner on the dashboard: the conditions read from the heartbeats in Redis,
the grace that keeps a start-up quiet, the banner pushed and cleared over the status socket, and the same
banner on every page that shows live status."""

import asyncio
import re
import time

import pytest
from channels.testing import WebsocketCommunicator

from accounts.roles import OPERATOR
from birzai_vms.heartbeats import NO_BEAT, NO_CAPTURE_WORKER, NO_DEFAULT_WORKER, missing_processes
from dashboard.consumers import StatusConsumer
from dashboard.texts import system_alarms
from tests.factories import CameraFactory
from tests.support import heartbeats
from tests.support.auth import make_user
from tests.support.eventloop import run_bounded

NOW = 1_800_000_000.0
ALL = [NO_CAPTURE_WORKER, NO_DEFAULT_WORKER, NO_BEAT]


@pytest.fixture
def beat_every_second(settings):
    settings.WORKER_HEARTBEAT_SECONDS = 1.0  # a heartbeat older than 3 s is a dead process


def test_without_any_heartbeat_every_process_is_missing(redis_db, beat_every_second):
    assert missing_processes(redis_db, now=NOW) == ALL


def test_fresh_heartbeats_of_both_queues_and_beat_mean_nothing_is_missing(redis_db, beat_every_second):
    heartbeats.write_worker(redis_db, "capture@a", ["capture"], at=NOW - 2)
    heartbeats.write_worker(redis_db, "default@a", ["default", "celery"], at=NOW - 1)
    heartbeats.write_beat(redis_db, at=NOW - 2.5)
    assert missing_processes(redis_db, now=NOW) == []


def test_one_worker_serving_both_queues_is_enough(redis_db, beat_every_second):
    heartbeats.write_worker(redis_db, "all@a", ["capture", "default"], at=NOW)
    assert missing_processes(redis_db, now=NOW) == [NO_BEAT]


def test_a_stale_capture_worker_is_missing_and_the_default_one_is_not(redis_db, beat_every_second):
    heartbeats.write_worker(redis_db, "capture@a", ["capture"], at=NOW - 3.5)
    heartbeats.write_worker(redis_db, "default@a", ["default"], at=NOW - 1)
    heartbeats.write_beat(redis_db, at=NOW)
    assert missing_processes(redis_db, now=NOW) == [NO_CAPTURE_WORKER]


def test_a_stale_beat_is_missing(redis_db, beat_every_second):
    heartbeats.write_worker(redis_db, "all@a", ["capture", "default"], at=NOW)
    heartbeats.write_beat(redis_db, at=NOW - 10)
    assert missing_processes(redis_db, now=NOW) == [NO_BEAT]


def test_a_condition_is_shown_only_after_it_held_for_the_grace(redis_db, beat_every_second, fresh_process_watch):
    # The web process has just started, before any worker's first heartbeat: no false alarm.
    assert fresh_process_watch.shown(now=NOW) == ()
    assert fresh_process_watch.shown(now=NOW + 2) == ()
    assert fresh_process_watch.shown(now=NOW + 3) == tuple(ALL)
    # A capture worker starts: its condition ends at once, the others stay.
    heartbeats.write_worker(redis_db, "capture@a", ["capture"], at=NOW + 4)
    assert fresh_process_watch.shown(now=NOW + 4) == (NO_DEFAULT_WORKER, NO_BEAT)


def test_a_worker_restarted_within_the_grace_is_never_shown(redis_db, beat_every_second, fresh_process_watch):
    heartbeats.write_worker(redis_db, "all@a", ["capture", "default"], at=NOW)
    heartbeats.write_beat(redis_db, at=NOW)
    assert fresh_process_watch.shown(now=NOW) == ()
    redis_db.delete("vms:heartbeat:workers")  # the old worker forgets itself as it stops
    heartbeats.write_beat(redis_db, at=NOW + 2)
    assert fresh_process_watch.shown(now=NOW + 2) == ()
    heartbeats.write_worker(redis_db, "all@b", ["capture", "default"], at=NOW + 4)  # the new one is ready
    assert fresh_process_watch.shown(now=NOW + 4) == ()


def test_after_an_unwatched_while_a_condition_gets_its_grace_again(redis_db, beat_every_second, fresh_process_watch):
    assert fresh_process_watch.shown(now=NOW) == ()
    assert fresh_process_watch.shown(now=NOW + 3) == tuple(ALL)
    # No dashboard open for an hour: the workers may have come and gone since.
    assert fresh_process_watch.shown(now=NOW + 3600) == ()
    assert fresh_process_watch.shown(now=NOW + 3603) == tuple(ALL)


@pytest.mark.django_db
def test_the_banner_texts_are_in_the_readers_language():
    operator = make_user("operatore", OPERATOR)
    [entry] = system_alarms(operator, "lv", (NO_CAPTURE_WORKER,))
    assert entry["kind"] == NO_CAPTURE_WORKER
    assert entry["severity"] == "critical"
    assert entry["message"] == "Nedarbojas neviens ierakstīšanas darbinieks: kameras netiek ierakstītas."
    [entry] = system_alarms(operator, "lt", (NO_BEAT,))
    assert entry["message"] == "Planuoklis (Celery beat) neveikia."
    assert system_alarms(operator, "en", (NO_DEFAULT_WORKER,))[0]["message"] == (
        "No background worker is running: retention, exports and alerts are stopped."
    )


@pytest.mark.django_db(transaction=True)
def test_the_banner_arrives_over_the_socket_and_clears_when_a_heartbeat_appears(redis_db, settings):
    settings.WORKER_HEARTBEAT_SECONDS = 0.3  # checked every 0.3 s, shown after 0.9 s
    camera = CameraFactory()
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    heartbeats.write_worker(redis_db, "default@a", ["default"])
    heartbeats.write_beat(redis_db)

    async def run():
        comm = WebsocketCommunicator(StatusConsumer.as_asgi(), "/ws/status/?lang=lv")
        comm.scope["user"] = operator
        connected, _ = await comm.connect()
        assert connected
        snapshot = await comm.receive_json_from(timeout=5)
        assert snapshot["system"] == []  # within the grace of a process that just started
        started = time.monotonic()
        message = await comm.receive_json_from(timeout=5)
        assert message["type"] == "system"
        assert [a["kind"] for a in message["alarms"]] == [NO_CAPTURE_WORKER]
        assert message["alarms"][0]["message"].startswith("Nedarbojas neviens ierakstīšanas darbinieks")
        assert time.monotonic() - started < 3
        # Sent only when the set changes: nothing more while no capture worker runs.
        assert await comm.receive_nothing(timeout=1.0)

        await asyncio.to_thread(heartbeats.write_worker, redis_db, "capture@a", ["capture"])
        message = await comm.receive_json_from(timeout=5)
        assert message == {"type": "system", "alarms": []}
        await comm.disconnect()

    run_bounded(run())


LIVE_STATUS_PAGES = {
    "overview": ("/dashboard/", False),
    "map": ("/dashboard/map/", False),
    "live grid": ("/dashboard/live/", True),
    "live": ("/dashboard/cameras/{pk}/live/", True),
    "playback": ("/dashboard/cameras/{pk}/playback/", True),
    "synchronised playback": ("/dashboard/sync/", True),
}


@pytest.mark.django_db
@pytest.mark.parametrize("page", LIVE_STATUS_PAGES)
def test_every_live_status_page_shows_the_banner_once_in_the_readers_language(
    page, client, redis_db, settings, fresh_process_watch
):
    from alarms.services import raise_alarm

    camera = CameraFactory()
    operator = make_user("operators", OPERATOR, elderships=[camera.eldership])
    client.force_login(operator)
    # No capture worker for longer than the grace (30 s at 10 s heartbeats), as this web process saw.
    settings.WORKER_HEARTBEAT_SECONDS = 10.0
    heartbeats.write_worker(redis_db, "default@a", ["default"])
    heartbeats.write_beat(redis_db)
    now = time.time()
    fresh_process_watch.shown(now=now - 40)
    fresh_process_watch.shown(now=now - 20)
    raise_alarm(
        kind="storage_projection",
        camera_id=None,
        severity="warning",
        params={"days": 0.1, "retention_days": 30, "cameras": 1},
    )
    url, own_socket = LIVE_STATUS_PAGES[page]

    html = client.get(url.format(pk=camera.pk), HTTP_ACCEPT_LANGUAGE="lv").content.decode()

    assert html.count('id="system-alarms"') == 1
    assert html.count('data-kind="no_capture_worker"') == 1
    assert html.count("Nedarbojas neviens ierakstīšanas darbinieks: kameras netiek ierakstītas.") == 1
    assert html.count('data-kind="storage_projection"') == 1
    assert "krātuvei pietiks 0,1 dienām" in html
    # Pages without a status socket of their own let the banner open one (dashboard/system_alarms.js).
    assert ('data-socket="own"' in html) is own_socket
    assert html.count("dashboard/system_alarms.js") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("page", LIVE_STATUS_PAGES)
def test_without_conditions_the_banner_is_there_but_hidden(page, client, redis_db):
    camera = CameraFactory()
    client.force_login(make_user("operators", OPERATOR, elderships=[camera.eldership]))
    html = client.get(LIVE_STATUS_PAGES[page][0].format(pk=camera.pk)).content.decode()
    assert re.search(r'<ul id="system-alarms"[^>]* hidden>\s*</ul>', html)
