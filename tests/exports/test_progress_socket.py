"""An export's progress reaches its creator and named viewers live over /ws/exports/<id>/; anyone else (and
an anonymous socket) is refused, as for an export that does not exist."""

from datetime import timedelta

import pytest
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.roles import OPERATOR
from birzai_vms.asgi import application
from exports import services
from exports.choices import ExportKind
from exports.models import Export
from tests.support.auth import log_in_verified, make_user
from tests.support.eventloop import run_bounded

from .conftest import T0


def socket(user, export_id: int) -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1")]
    if user is not None:
        client = log_in_verified(Client(), user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    return WebsocketCommunicator(application, f"/ws/exports/{export_id}/", headers=headers)


@pytest.mark.django_db(transaction=True)
def test_progress_reaches_the_creator_and_viewers_and_no_one_else(camera, operator, redis_db):
    viewer = make_user("ziuretojas", OPERATOR, elderships=(camera.eldership,))
    stranger = make_user("kitas", OPERATOR, elderships=(camera.eldership,))
    export = Export.objects.create(kind=ExportKind.EVIDENCE, created_by=operator)
    export.viewers.add(viewer)
    export.items.create(camera=camera, requested_start=T0, requested_end=T0 + timedelta(seconds=8))

    async def watch(user) -> list[dict]:
        communicator = socket(user, export.pk)
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        first = await communicator.receive_json_from(timeout=5)
        await get_channel_layer().group_send(
            services.progress_group(export.pk),
            {"type": "export.progress", "state": "running", "progress": 0.5, "error": ""},
        )
        second = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return [first, second]

    async def refused(user, export_id: int) -> int:
        communicator = socket(user, export_id)
        connected, code = await communicator.connect(timeout=5)
        assert not connected
        return code

    for user in (operator, viewer):
        first, second = run_bounded(watch(user))
        assert first == {"type": "export.progress", "state": "queued", "progress": 0.0, "error": ""}
        assert second["progress"] == 0.5 and second["state"] == "running"
    assert run_bounded(refused(stranger, export.pk)) == run_bounded(refused(stranger, 999999)) == 4403
    assert run_bounded(refused(None, export.pk)) == 4401
