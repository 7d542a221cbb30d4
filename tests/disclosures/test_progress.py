"""The requester and the approving reviewer watch the evidence export over /ws/exports/<id>/; another officer
cannot, and the request page points its script at that socket."""

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client

from birzai_vms.asgi import application
from tests.support.auth import log_in_verified
from tests.support.eventloop import run_bounded

from .conftest import api_of
from .support import approve_part, submit

pytestmark = pytest.mark.django_db(transaction=True)


def connects(user, export_id: int) -> bool:
    client = log_in_verified(Client(), user)
    headers = [(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]

    async def attempt() -> bool:
        communicator = WebsocketCommunicator(application, f"/ws/exports/{export_id}/", headers=headers)
        connected, _ = await communicator.connect(timeout=5)
        if connected:
            first = await communicator.receive_json_from(timeout=5)
            assert first["type"] == "export.progress" and first["state"] == "queued"
            await communicator.disconnect()
        return connected

    return run_bounded(attempt())


def test_requester_and_reviewer_watch_the_export_and_no_one_else(world, redis_db):
    police_api, reviewer_api = api_of(world.users["police"]), api_of(world.users["reviewer"])
    request = submit(world, police_api)
    assert approve_part(world, reviewer_api, request).status_code == 200
    request.refresh_from_db()
    export_id = request.export_id
    assert connects(world.users["police"], export_id) and connects(world.users["reviewer"], export_id)
    assert not connects(world.users["other_police"], export_id)
    page = log_in_verified(Client(), world.users["police"]).get(f"/requests/{request.pk}/").content.decode()
    assert f'"ws": "/ws/exports/{export_id}/"' in page
