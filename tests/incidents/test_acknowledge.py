"""Staff who may see the camera acknowledge an incident with a note, on its page or through the API;
the acknowledgement is audited; others are refused as if it did not exist."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry
from incidents.choices import IncidentKind
from incidents.models import Incident
from tests.support.auth import log_in_verified
from tests.support.roles import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = build_world()
    world.incident = Incident.objects.create(
        camera=world.pabirze_camera, kind=IncidentKind.FROZEN, started_at=timezone.now()
    )
    return world


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def url(incident) -> str:
    return f"/api/incidents/{incident.pk}/acknowledge/"


def test_the_operator_of_the_eldership_acknowledges_with_a_note_and_it_is_audited(world):
    operator = world.users["operator"]
    response = api(operator).post(url(world.incident), {"note": "Kamera perkrauta, stebime."}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["acknowledged_by"] == operator.username
    world.incident.refresh_from_db()
    assert world.incident.acknowledged_by == operator and world.incident.note == "Kamera perkrauta, stebime."
    entry = AuditEntry.objects.get(action="incident_acknowledged")
    assert entry.camera_name == world.pabirze_camera.name and entry.target == f"incident {world.incident.pk}"
    assert entry.details["note"] == "Kamera perkrauta, stebime."


def test_a_second_acknowledgement_changes_the_note_but_not_who_acknowledged_first(world):
    first_at = None
    api(world.users["operator"]).post(url(world.incident), {"note": "Looking."}, format="json")
    world.incident.refresh_from_db()
    first_at = world.incident.acknowledged_at
    api(world.users["reviewer"]).post(url(world.incident), {"note": "Replaced the cable."}, format="json")
    world.incident.refresh_from_db()
    assert world.incident.acknowledged_at == first_at and world.incident.acknowledged_by == world.users["operator"]
    assert world.incident.note == "Replaced the cable."
    assert AuditEntry.objects.filter(action="incident_acknowledged").count() == 2


def test_an_empty_note_is_refused_with_a_message(world):
    response = api(world.users["operator"]).post(url(world.incident), {"note": "   "}, format="json")
    assert response.status_code == 400 and "note" in response.json()
    world.incident.refresh_from_db()
    assert world.incident.acknowledged_at is None


def test_an_operator_of_another_eldership_gets_404_and_police_403(world):
    other = Incident.objects.create(
        camera=world.vabalninkas_camera, kind=IncidentKind.OFFLINE, started_at=timezone.now()
    )
    assert api(world.users["operator"]).post(url(other), {"note": "x"}, format="json").status_code == 404
    assert api(world.users["police"]).post(url(world.incident), {"note": "x"}, format="json").status_code == 403
    assert APIClient().post(url(world.incident), {"note": "x"}, format="json").status_code in (401, 403)
    other.refresh_from_db()
    world.incident.refresh_from_db()
    assert other.acknowledged_at is None and world.incident.acknowledged_at is None


def test_the_page_acknowledges_with_its_form_and_says_what_is_missing(world, client):
    log_in_verified(client, world.users["operator"])
    page = f"/incidents/{world.incident.pk}/"
    response = client.get(page)
    assert response.status_code == 200 and b'name="note"' in response.content
    response = client.post(page, {"note": ""})
    assert response.status_code == 400 and b"Write what was done" in response.content
    response = client.post(page, {"note": "On site at 10:00"})
    assert response.status_code == 302
    world.incident.refresh_from_db()
    assert world.incident.note == "On site at 10:00"
    assert "On site at 10:00" in client.get(page).content.decode()


def test_the_list_shows_only_incidents_of_cameras_one_may_see(world, client):
    Incident.objects.create(camera=world.vabalninkas_camera, kind=IncidentKind.OFFLINE, started_at=timezone.now())
    log_in_verified(client, world.users["operator"])
    body = client.get("/incidents/").content.decode()
    assert world.pabirze_camera.name in body and world.vabalninkas_camera.name not in body
    listed = api(world.users["operator"]).get("/api/incidents/").json()["results"]
    assert [i["id"] for i in listed] == [world.incident.pk]
