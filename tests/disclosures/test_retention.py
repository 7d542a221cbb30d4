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
