"""Bad requests are refused with a clear message, the same through the API and the web form, and nothing is
saved or held: end before start, a future range, too long, a camera not allowed, a local time that does not
exist, one that occurs twice without a choice, footage already deleted."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from disclosures.models import DisclosureRequest
from retention.models import DeletedRange, Hold
from tests.support.auth import log_in_verified

from .conftest import body, local_text

pytestmark = pytest.mark.django_db


def _end_before_start(world):
    return {"end": local_text(world.t0)}, "The end must be after the start."


def _future(world):
    soon = timezone.now() + timedelta(hours=1)
    return {"start": local_text(soon), "end": local_text(soon + timedelta(minutes=5))}, "in the future"


def _end_in_future(world):
    return {"end": local_text(timezone.now() + timedelta(minutes=5))}, "The end is in the future"


def _too_long(world):
    return {
        "start": local_text(world.t0 - timedelta(hours=3)),
        "end": local_text(world.t0 + timedelta(hours=1, minutes=1)),
    }, "at most 4 hours"


def _camera_not_allowed(world):
    return {"cameras": [world.gate.pk, world.market.pk]}, "You may not request footage of"


def _missing_camera(world):
    return {"cameras": [999999]}, "You may not request footage of"


def _nonexistent_local_time(world):
    return {"start": "2026-03-29T03:30:00", "end": "2026-03-29T04:30:00"}, "does not exist in Vilnius"


def _ambiguous_local_time(world):
    return {"start": "2026-10-25T03:30:00", "end": "2026-10-25T04:30:00"}, "occurs twice"


def _deleted(world):
    gone = world.t0 - timedelta(hours=1)
    DeletedRange.objects.create(
        camera=world.gate,
        start=gone,
        end=gone + timedelta(minutes=30),
        segment_count=450,
        bytes=10**6,
        reason="retention",
        deleted_at=gone + timedelta(days=1),
    )
    return {
        "cameras": [world.gate.pk],
        "start": local_text(gone + timedelta(minutes=5)),
        "end": local_text(gone + timedelta(minutes=10)),
    }, "was deleted on"


def _nothing_recorded(world):
    empty = world.t0 - timedelta(hours=1)
    return {
        "start": local_text(empty),
        "end": local_text(empty + timedelta(minutes=5)),
    }, "recorded nothing in this range"


def _other_basis_unexplained(world):
    return {"legal_basis": "other", "legal_basis_text": " "}, "Explain the legal basis."


CASES = [
    _end_before_start,
    _future,
    _end_in_future,
    _too_long,
    _camera_not_allowed,
    _missing_camera,
    _nonexistent_local_time,
    _ambiguous_local_time,
    _deleted,
    _nothing_recorded,
    _other_basis_unexplained,
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.strip("_"))
def test_the_api_refuses_bad_requests_clearly(world, police_api, case):
    overrides, message = case(world)
    response = police_api.post("/api/requests/", body(world, **overrides), format="json")
    assert response.status_code == 400, response.content
    assert message in str(response.json()), response.json()
    assert not DisclosureRequest.objects.exists() and not Hold.objects.exists()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__.strip("_"))
def test_the_form_refuses_bad_requests_clearly(world, case):
    overrides, message = case(world)
    client = log_in_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), world.users["police"])
    response = client.post("/requests/new/", {**body(world, **overrides), "submit": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DisclosureRequest.objects.exists() and not Hold.objects.exists()


def test_the_length_limit_is_a_setting(world, police_api, settings):
    settings.DISCLOSURE_MAX_HOURS = 1
    refused = police_api.post(
        "/api/requests/", body(world, end=local_text(world.t0 + timedelta(minutes=62))), format="json"
    )
    assert refused.status_code == 400 and "at most 1 hours" in str(refused.json())


def test_a_time_that_occurs_twice_is_taken_with_the_chosen_offset(world, police_api):
    from .conftest import record_rows

    # 03:30 local on 25 October 2026 is 00:30 UTC (summer time, EEST) or 01:30 UTC (winter time, EET).
    record_rows(world.gate, datetime(2026, 10, 25, 0, 0, tzinfo=UTC), 120)
    times = {"cameras": [world.gate.pk], "start": "2026-10-25T03:30:00", "end": "2026-10-25T03:40:00"}
    summer = police_api.post("/api/requests/", body(world, **times, start_fold=0, end_fold=0), format="json")
    winter = police_api.post("/api/requests/", body(world, **times, start_fold=1, end_fold=1), format="json")
    assert summer.status_code == winter.status_code == 201, (summer.json(), winter.json())
    assert summer.json()["start"].startswith("2026-10-25T03:30:00+03:00")
    assert winter.json()["start"].startswith("2026-10-25T03:30:00+02:00")


def test_the_form_takes_a_time_that_occurs_twice_with_the_chosen_offset(world):
    from .conftest import record_rows

    record_rows(world.gate, datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 60)
    client = log_in_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), world.users["police"])
    times = {"cameras": [world.gate.pk], "start": "2026-10-25T03:30:00", "end": "2026-10-25T03:40:00"}
    response = client.post(
        "/requests/new/", {**body(world, **times), "start_fold": "1", "end_fold": "1", "submit": "1"}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = DisclosureRequest.objects.get()
    assert created.start == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
