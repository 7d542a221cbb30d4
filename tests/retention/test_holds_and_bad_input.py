"""Holds through the API and the admin, and the clear errors for bad input (never a 500, nothing saved)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from alarms.models import Alarm
from alarms.services import clear_alarm, raise_alarm
from cameras.models import Camera
from retention import services
from retention.models import Hold
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db

T = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
def api(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    return client


def test_a_hold_is_created_and_released_through_the_api(api, admin_user):
    cameras = [CameraFactory(), CameraFactory()]
    response = api.post(
        "/api/holds/",
        {
            "cameras": [c.pk for c in cameras],
            "start": T.isoformat(),
            "end": (T + timedelta(minutes=30)).isoformat(),
            "reason": "Police request 114",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    hold = Hold.objects.get(pk=response.json()["id"])
    assert (set(hold.cameras.all()), hold.created_by, hold.is_active) == (set(cameras), admin_user, True)

    refused = api.post(f"/api/holds/{hold.pk}/release/", {"reason": "  "}, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    assert Hold.objects.get(pk=hold.pk).is_active

    released = api.post(f"/api/holds/{hold.pk}/release/", {"reason": "Case closed"}, format="json")
    assert released.status_code == 200
    assert released.json()["release_reason"] == "Case closed" and released.json()["is_active"] is False

    again = api.post(f"/api/holds/{hold.pk}/release/", {"reason": "Twice"}, format="json")
    assert again.status_code == 400 and "already released" in str(again.json())


def test_a_hold_ending_before_it_starts_is_refused_clearly(api):
    camera = CameraFactory()
    response = api.post(
        "/api/holds/",
        {"cameras": [camera.pk], "start": T.isoformat(), "end": (T - timedelta(hours=1)).isoformat(), "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"end": ["The end of a hold must be after its start."]}
    assert not Hold.objects.exists()


def test_a_hold_without_cameras_or_reason_is_refused(api):
    response = api.post(
        "/api/holds/",
        {"cameras": [], "start": T.isoformat(), "end": (T + timedelta(hours=1)).isoformat(), "reason": ""},
        format="json",
    )
    assert response.status_code == 400
    assert not Hold.objects.exists()


def test_services_and_database_refuse_bad_holds(admin_user):
    camera = CameraFactory()
    with pytest.raises(ValidationError, match="after its start"):
        services.create_hold(camera_ids=[camera.pk], start=T, end=T, reason="x")
    hold = services.create_hold(camera_ids=[camera.pk], start=T, end=T + timedelta(hours=1), reason="Incident")
    with pytest.raises(ValidationError, match="needs a reason"):
        services.release_hold(hold_id=hold.pk, reason="")
    with transaction.atomic(), pytest.raises(IntegrityError):
        Hold.objects.filter(pk=hold.pk).update(end=T - timedelta(hours=1))
    with transaction.atomic(), pytest.raises(IntegrityError):
        Hold.objects.filter(pk=hold.pk).update(released_at=T)  # released without a reason


@pytest.mark.parametrize("days", [-1, 0, 29])
def test_retention_under_30_days_or_negative_is_refused_clearly(days):
    camera = CameraFactory.build(retention_days=days)
    with pytest.raises(ValidationError) as exc:
        camera.full_clean(exclude=["eldership"])
    assert "retention_days" in exc.value.message_dict
    saved = CameraFactory()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Camera.objects.filter(pk=saved.pk).update(retention_days=days)


def test_holds_are_created_and_released_in_the_admin(admin_client, admin_user):
    camera = CameraFactory()
    response = admin_client.post(
        "/admin/retention/hold/add/",
        {
            "cameras": [camera.pk],
            "start_0": "2026-11-20",
            "start_1": "16:00:00",
            "end_0": "2026-11-20",
            "end_1": "15:00:00",
            "reason": "Incident",
        },
    )
    assert response.status_code == 200 and "after its start" in response.content.decode()
    assert not Hold.objects.exists()

    admin_client.post(
        "/admin/retention/hold/add/",
        {
            "cameras": [camera.pk],
            "start_0": "2026-11-20",
            "start_1": "16:00:00",
            "end_0": "2026-11-20",
            "end_1": "17:00:00",
            "reason": "Incident",
        },
    )
    hold = Hold.objects.get()
    assert hold.created_by == admin_user and list(hold.cameras.all()) == [camera]
    assert admin_client.get("/admin/retention/hold/add/").status_code == 200
    assert "release_now" in admin_client.get(f"/admin/retention/hold/{hold.pk}/change/").content.decode()
    assert admin_client.get("/admin/retention/deletedrange/").status_code == 200
    assert admin_client.get("/admin/alarms/alarm/").status_code == 200

    admin_client.post(f"/admin/retention/hold/{hold.pk}/change/", {"release_now": "Footage exported"})
    hold.refresh_from_db()
    assert (hold.is_active, hold.release_reason, hold.released_by) == (False, "Footage exported", admin_user)


def test_alarms_are_idempotent_per_kind_and_camera_and_listed_by_the_api(api):
    camera = CameraFactory()
    first = raise_alarm(kind="integrity", camera_id=camera.pk, severity="warning", params={"path": "a.ts"})
    second = raise_alarm(kind="integrity", camera_id=camera.pk, severity="warning", params={"path": "b.ts"})
    raise_alarm(kind="storage_full", camera_id=None, severity="critical", params={"free_mib": 1, "watermark_mib": 9})
    assert first.pk == second.pk

    body = api.get("/api/alarms/?open=true").json()["results"]
    assert {(a["kind"], a["message"]) for a in body} == {
        ("integrity", "Segment b.ts no longer matches its SHA-256: the file was altered."),
        ("storage_full", Alarm.objects.get(kind="storage_full").text),
    }
    assert {a["kind"]: a["params"] for a in body}["integrity"] == {"path": "b.ts"}
    # The text is rendered in the request's language.
    lithuanian = api.get("/api/alarms/?open=true&kind=integrity", HTTP_ACCEPT_LANGUAGE="lt").json()["results"]
    assert lithuanian[0]["message"] == "Segmentas b.ts nebeatitinka savo SHA-256: failas pakeistas."

    assert clear_alarm(kind="integrity", camera_id=camera.pk)
    assert not clear_alarm(kind="integrity", camera_id=camera.pk)
    assert [a["kind"] for a in api.get("/api/alarms/?open=true").json()["results"]] == ["storage_full"]
    assert api.get("/api/alarms/?open=false").json()["results"][0]["ended_at"] is not None


def test_the_timeline_api_needs_a_camera_and_a_valid_range(api):
    camera = CameraFactory()
    ok = api.get(f"/api/timeline/?camera={camera.pk}&start=2026-11-20T00:00:00Z&end=2026-11-21T00:00:00Z")
    assert ok.status_code == 200
    assert set(ok.json()) == {"recorded", "gaps", "deleted", "missing", "holds"}
    assert (
        api.get(f"/api/timeline/?camera={camera.pk}&start=2026-11-21T00:00:00Z&end=2026-11-20T00:00:00Z").status_code
        == 400
    )
    assert api.get(f"/api/timeline/?camera={camera.pk}").status_code == 400
    assert api.get("/api/storage/").status_code == 200
    assert api.get(f"/api/deleted-ranges/?camera={camera.pk}").json()["results"] == []
    assert APIClient().get("/api/holds/").status_code in (401, 403)
    assert APIClient().get("/api/alarms/").status_code in (401, 403)
