"""An Operator of Pabiržė cannot see, play, download or receive the status of a Vabalninkas camera."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from birzai_vms.asgi import application
from cameras.events import STATUS_GROUP, status_payload
from cameras.models import Camera
from tests.support.auth import log_in_verified
from tests.support.eventloop import run_bounded

pytestmark = pytest.mark.django_db


def operator_client(world) -> Client:
    return log_in_verified(Client(), world.users["operator"])


def test_operator_sees_only_cameras_of_their_eldership_in_the_api(world):
    client = operator_client(world)
    names = [c["name"] for c in client.get("/api/cameras/").json()["results"]]
    assert names == [world.pabirze_camera.name]
    assert client.get(f"/api/cameras/{world.pabirze_camera.pk}/").status_code == 200
    assert client.get(f"/api/cameras/{world.vabalninkas_camera.pk}/").status_code == 404


def test_operator_gets_404_for_segments_and_gaps_of_another_eldership(world):
    client = operator_client(world)
    own_camera = world.pabirze_camera.pk
    assert client.get(f"/api/segments/{world.vabalninkas_segment.pk}/?camera={own_camera}").status_code == 404
    assert client.get(f"/api/gaps/{world.vabalninkas_gap.pk}/?camera={own_camera}").status_code == 404
    refused = client.get(f"/api/segments/?camera={world.vabalninkas_camera.pk}")
    assert refused.status_code == 400 and str(world.vabalninkas_camera.pk) not in str(
        [r for r in refused.json().get("results", [])]
    )
    own = client.get(f"/api/segments/?camera={world.pabirze_camera.pk}").json()["results"]
    assert [s["id"] for s in own] == [world.pabirze_segment.pk]


def test_an_object_outside_scope_reads_exactly_like_one_that_does_not_exist(world):
    client = operator_client(world)
    hidden = client.get(f"/api/cameras/{world.vabalninkas_camera.pk}/")
    missing = client.get("/api/cameras/999999/")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


@pytest.mark.parametrize(
    "url",
    [
        "/playback/cameras/{cam}/vod.m3u8",
        "/playback/cameras/{cam}/live.m3u8",
        "/playback/cameras/{cam}/timeline.json",
        "/playback/cameras/{cam}/snapshot.jpg",
        "/playback/segments/{seg}.ts",
        "/dashboard/cameras/{cam}/live/",
        "/dashboard/cameras/{cam}/playback/",
    ],
)
def test_operator_cannot_play_or_download_video_of_another_eldership(world, url):
    client = operator_client(world)
    response = client.get(url.format(cam=world.vabalninkas_camera.pk, seg=world.vabalninkas_segment.pk))
    assert response.status_code == 404


def test_operator_cannot_export_a_clip_of_another_eldership(world):
    client = operator_client(world)
    start = world.vabalninkas_segment.start
    window = {"start": start.isoformat(), "end": (start + timedelta(seconds=4)).isoformat()}
    response = client.post(f"/playback/cameras/{world.vabalninkas_camera.pk}/clip/", window)
    assert response.status_code == 404


def test_police_browse_no_cameras(world):
    client = log_in_verified(Client(), world.users["police"])
    assert client.get("/api/cameras/").status_code == 403
    assert client.get(f"/api/cameras/{world.pabirze_camera.pk}/").status_code == 403
    assert not Camera.objects.visible_to(world.users["police"]).exists()
    # Refused plainly, with a reason, rather than shown an empty dashboard or an empty list.
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 403 and "does not give access to cameras" in page.content.decode()
    for url in ("/api/holds/", "/api/storage/", f"/api/timeline/?camera={world.pabirze_camera.pk}"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 403 and "does not give access to cameras" in response.json()["detail"]


def test_reviewer_and_administrator_see_every_camera(world):
    for role in ("reviewer", "administrator"):
        assert Camera.objects.visible_to(world.users[role]).count() == 2


@pytest.mark.django_db(transaction=True)
def test_operator_websocket_carries_no_status_of_another_eldership(world):
    client = operator_client(world)
    cookie = f"sessionid={client.cookies['sessionid'].value}"

    async def scenario() -> list[dict]:
        communicator = WebsocketCommunicator(
            application, "/ws/status/", headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1")]
        )
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        messages = [await communicator.receive_json_from(timeout=5)]
        layer = get_channel_layer()
        for camera in (world.vabalninkas_camera, world.pabirze_camera):
            payload = await database_sync_to_async(status_payload)(camera)
            await layer.group_send(STATUS_GROUP, {"type": "status.changed", "statuses": [payload]})
        messages.append(await communicator.receive_json_from(timeout=5))
        assert await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return messages

    snapshot, update = run_bounded(scenario())
    assert [s["camera_id"] for s in snapshot["statuses"]] == [world.pabirze_camera.pk]
    assert update["status"]["camera_id"] == world.pabirze_camera.pk


def test_recordings_are_never_reachable_under_a_static_path(world, recordings_root):
    source = recordings_root / world.pabirze_segment.path
    source.parent.mkdir(parents=True)
    source.write_bytes(b"\x47" + bytes(187))
    client = log_in_verified(Client(), world.users["administrator"])
    for prefix in ("/static/", "/static/recordings/", "/media/", "/recordings/"):
        assert client.get(prefix + world.pabirze_segment.path).status_code == 404


def test_restrict_is_the_roles_permission_and_the_eldership_scope_for_cameras_segments_and_gaps(world):
    from django.contrib.auth.models import AnonymousUser

    from recordings.models import Gap, Segment

    operator = world.users["operator"]
    assert set(Camera.objects.restrict(operator, "view")) == {world.pabirze_camera}
    assert set(Segment.objects.restrict(operator, "view")) == {world.pabirze_segment}
    assert set(Gap.objects.restrict(operator, "view")) == {world.pabirze_gap}
    assert Segment.objects.filter(pk=world.vabalninkas_segment.pk).exists()  # out of scope, not missing
    # The scope alone is not enough: the action needs the role's permission.
    assert not Segment.objects.restrict(operator, "delete").exists()
    assert not Camera.objects.restrict(operator, "change").exists()
    for nobody in (world.users["police"], AnonymousUser()):
        assert not Camera.objects.restrict(nobody, "view").exists()
        assert not Segment.objects.restrict(nobody, "view").exists()
