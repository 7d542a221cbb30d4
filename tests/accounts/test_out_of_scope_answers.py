"""Alarms and deleted ranges answer for a camera out of scope exactly as for one that does not exist."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from tests.factories import AlarmFactory, DeletedRangeFactory
from tests.support.auth import log_in_verified

pytestmark = pytest.mark.django_db

T = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)


def test_filtering_alarms_by_a_hidden_camera_reads_like_a_missing_one(world):
    for camera in (world.pabirze_camera, world.vabalninkas_camera):
        AlarmFactory(camera=camera, started_at=T)
    operator = log_in_verified(Client(), world.users["operator"])
    own = operator.get("/api/alarms/", {"camera": world.pabirze_camera.pk})
    assert own.status_code == 200 and len(own.json()["results"]) == 1
    hidden = operator.get("/api/alarms/", {"camera": world.vabalninkas_camera.pk})
    missing = operator.get("/api/alarms/", {"camera": 999999})
    assert hidden.status_code == missing.status_code == 400
    assert str(world.vabalninkas_camera.pk) not in str(hidden.json())
    assert hidden.json()["camera"][0].replace(str(world.vabalninkas_camera.pk), "N") == missing.json()["camera"][
        0
    ].replace("999999", "N")


def test_a_deleted_range_is_read_by_its_id_alone_and_only_in_scope(world):
    ranges = [
        DeletedRangeFactory(camera=camera, start=T) for camera in (world.pabirze_camera, world.vabalninkas_camera)
    ]
    operator = log_in_verified(Client(), world.users["operator"])
    response = operator.get(f"/api/deleted-ranges/{ranges[0].pk}/")
    assert response.status_code == 200 and response.json()["id"] == ranges[0].pk
    assert operator.get(f"/api/deleted-ranges/{ranges[1].pk}/").status_code == 404
    assert operator.get("/api/deleted-ranges/").status_code == 400  # a list still needs its camera
