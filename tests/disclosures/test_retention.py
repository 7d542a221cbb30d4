"""While a request waits, retention cannot delete its footage; once it is rejected, the footage expires as usual
(retention's real sweep over real segment files)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recordings.capture import storage
from recordings.models import Segment
from retention import services as retention
from retention.models import DeletedRange
from tests.factories import CameraFactory

from .conftest import body, local_text
from .support import submit

pytestmark = pytest.mark.django_db


def test_waiting_footage_survives_retention_and_expires_after_rejection(world, police_api, reviewer_api, segments):
    now = timezone.now()
    camera = CameraFactory(eldership=world.pabirze, retention_days=30)
    old = segments(camera, (now - timedelta(days=40)).replace(microsecond=0), 15)  # one minute, long expired
    requested = old[3:9]
    request = submit(
        world,
        police_api,
        **{
            "cameras": [camera.pk],
            "start": local_text(requested[0].start),
            "end": local_text(requested[-1].end),
        },
    )
    # Retention runs while the request waits: only the footage outside the request goes.
    retention.enforce_retention(now=now)
    kept = list(Segment.objects.filter(camera=camera).order_by("start"))
    assert [s.pk for s in kept] == [s.pk for s in requested]
    assert all(storage.absolute(s.path).exists() for s in kept)
    assert DeletedRange.objects.filter(camera=camera).count() == 2  # before and after the held range

    response = reviewer_api.post(
        f"/api/requests/{request.pk}/review/", {"decision": "reject", "reason": "Be pagrindo"}, format="json"
    )
    assert response.status_code == 200
    retention.enforce_retention(now=now)
    assert not Segment.objects.filter(camera=camera).exists()
    assert not any(storage.absolute(s.path).exists() for s in requested)


def test_a_range_deleted_meanwhile_cannot_be_requested_again(world, police_api, segments):
    now = timezone.now()
    camera = CameraFactory(eldership=world.pabirze, retention_days=30)
    old = segments(camera, (now - timedelta(days=40)).replace(microsecond=0), 5)
    retention.enforce_retention(now=now)
    times = {"cameras": [camera.pk], "start": local_text(old[0].start), "end": local_text(old[-1].end)}
    response = police_api.post("/api/requests/", body(world, **times), format="json")
    assert response.status_code == 400 and "was deleted on" in str(response.json())


def test_a_part_approval_keeps_only_the_approved_footage(world, police_api, reviewer_api, segments):
    """Fewer cameras and a narrower range approved: the rest of the requested footage expires as usual."""
    now = timezone.now()
    gate, square = (CameraFactory(eldership=world.pabirze, retention_days=30) for _ in range(2))
    start = (now - timedelta(days=40)).replace(microsecond=0)
    on_gate, on_square = segments(gate, start, 15), segments(square, start, 15)
    request = submit(
        world,
        police_api,
        cameras=[gate.pk, square.pk],
        start=local_text(on_gate[2].start),
        end=local_text(on_gate[12].end),
    )
    first_hold = request.hold
    approved = on_gate[5:8]
    response = reviewer_api.post(
        f"/api/requests/{request.pk}/review/",
        {
            "decision": "approve_part",
            "reason": "Tik vartai, trumpiau",
            "cameras": [gate.pk],
            "start": local_text(approved[0].start),
            "end": local_text(approved[-1].end),
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    request.refresh_from_db()
    first_hold.refresh_from_db()
    assert not first_hold.is_active and "partly approved" in first_hold.release_reason
    hold = request.hold
    assert hold.is_active and hold.pk != first_hold.pk
    assert list(hold.cameras.all()) == [gate] and (hold.start, hold.end) == (approved[0].start, approved[-1].end)
    chain = list(request.custody.values_list("event", "detail"))
    assert [event for event, _ in chain] == ["requested", "held", "reviewed", "held", "hold_released"]
    assert f"#{hold.pk}" in chain[3][1] and f"#{first_hold.pk}" in chain[4][1]

    retention.enforce_retention(now=now)
    assert list(Segment.objects.filter(camera=gate).order_by("start")) == approved
    assert all(storage.absolute(s.path).exists() for s in approved)
    assert not Segment.objects.filter(camera=square).exists()
    assert not any(storage.absolute(s.path).exists() for s in on_square + on_gate[:5] + on_gate[8:])
