"""Holds by role and scope: a hold is seen only by those who see all its cameras; only Reviewers and
Administrators release one, with a reason; a hold has an upper bound on its length."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from audit.choices import AuditAction
from audit.models import AuditEntry
from retention import services
from retention.models import Hold
from tests.support.auth import log_in_verified

pytestmark = pytest.mark.django_db

T = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


@pytest.fixture
def holds(world):
    """One hold of Pabiržė's camera only, one of Pabiržė's and Vabalninkas's cameras together."""
    own = services.create_hold(
        camera_ids=[world.pabirze_camera.pk], start=T, end=T + timedelta(hours=1), reason="Pabiržė: broken window"
    )
    mixed = services.create_hold(
        camera_ids=[world.pabirze_camera.pk, world.vabalninkas_camera.pk],
        start=T,
        end=T + timedelta(hours=2),
        reason="Police case 77: Vabalninkas suspect",
    )
    return own, mixed


def client_of(world, role: str) -> Client:
    return log_in_verified(Client(), world.users[role])


def test_an_operator_does_not_see_a_hold_that_also_covers_a_camera_out_of_scope(world, holds):
    own, mixed = holds
    operator = client_of(world, "operator")
    listed = operator.get("/api/holds/").json()
    assert [h["id"] for h in listed["results"]] == [own.pk]
    assert "Vabalninkas" not in str(listed)
    assert operator.get(f"/api/holds/{own.pk}/").status_code == 200
    hidden = operator.get(f"/api/holds/{mixed.pk}/")
    missing = operator.get("/api/holds/999999/")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (404, missing.json())
    timeline = operator.get(
        "/api/timeline/",
        {"camera": world.pabirze_camera.pk, "start": T.isoformat(), "end": (T + timedelta(hours=3)).isoformat()},
    ).json()
    assert [h["id"] for h in timeline["holds"]] == [own.pk]


def test_an_operator_cannot_release_a_hold_in_or_out_of_scope(world, holds):
    own, mixed = holds
    operator = client_of(world, "operator")
    out_of_scope = operator.post(f"/api/holds/{mixed.pk}/release/", {"reason": "done"}, content_type="application/json")
    assert out_of_scope.status_code == 404
    in_scope = operator.post(f"/api/holds/{own.pk}/release/", {"reason": "done"}, content_type="application/json")
    assert in_scope.status_code == 403
    assert "Reviewers and Administrators" in in_scope.json()["detail"]
    assert Hold.objects.active().count() == 2


def test_a_reviewer_releases_the_mixed_hold_with_a_reason_on_record(world, holds):
    _, mixed = holds
    reviewer = client_of(world, "reviewer")
    url = f"/api/holds/{mixed.pk}/release/"
    assert reviewer.post(url, {"reason": " "}, content_type="application/json").status_code == 400
    response = reviewer.post(url, {"reason": "Case 77 closed"}, content_type="application/json")
    assert response.status_code == 200, response.json()
    mixed.refresh_from_db()
    assert (mixed.is_active, mixed.released_by, mixed.release_reason) == (
        False,
        world.users["reviewer"],
        "Case 77 closed",
    )
    entry = AuditEntry.objects.filter(action=AuditAction.HOLD_RELEASED).get()
    assert (entry.username, entry.details) == ("perziuretojas", {"reason": "Case 77 closed"})


def test_an_operator_may_hold_footage_of_their_scope_but_not_for_ever(world):
    operator = client_of(world, "operator")
    body = {"cameras": [world.pabirze_camera.pk], "start": T.isoformat(), "reason": "Evidence"}
    for_ever = operator.post("/api/holds/", {**body, "end": "2999-12-31T00:00:00Z"}, content_type="application/json")
    assert for_ever.status_code == 400
    assert "at most 366 days" in str(for_ever.json())
    year = operator.post(
        "/api/holds/", {**body, "end": (T + timedelta(days=366)).isoformat()}, content_type="application/json"
    )
    assert year.status_code == 201, year.json()
    out_of_scope = operator.post(
        "/api/holds/",
        {**body, "cameras": [world.vabalninkas_camera.pk], "end": (T + timedelta(days=1)).isoformat()},
        content_type="application/json",
    )
    assert out_of_scope.status_code == 400
    assert Hold.objects.count() == 1


def test_police_neither_see_nor_make_holds(world, holds):
    police = client_of(world, "police")
    assert police.get("/api/holds/").status_code == 403
    body = {"cameras": [world.pabirze_camera.pk], "start": T.isoformat(), "end": (T + timedelta(hours=1)).isoformat()}
    assert police.post("/api/holds/", {**body, "reason": "x"}, content_type="application/json").status_code == 403


def test_an_administrator_uses_the_hold_admin_and_releases_there(world, holds):
    own, _ = holds
    admin = client_of(world, "administrator")
    assert admin.get("/admin/retention/hold/").status_code == 200
    page = admin.get(f"/admin/retention/hold/{own.pk}/change/")
    assert page.status_code == 200 and "release_now" in page.content.decode()
    response = admin.post(f"/admin/retention/hold/{own.pk}/change/", {"release_now": "No longer needed"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.is_active, own.release_reason) == (False, "No longer needed")
    assert admin.get("/admin/alarms/alarm/").status_code == 200
    assert admin.get("/admin/retention/deletedrange/").status_code == 200
