"""A small world for request tests: two elderships, three cameras with recent footage, officers and a reviewer."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import POLICE, REVIEWER
from birzai_vms.localtime import local
from disclosures.models import PoliceProfile
from recordings.models import Gap, Segment
from tests.factories import CameraFactory, EldershipFactory, SegmentFactory
from tests.retention.conftest import integrity_key, segments  # noqa: F401 - fixtures used by the retention test
from tests.support.auth import log_in_verified, make_user

RECORDED_MINUTES = 10


@dataclass
class World:
    pabirze: Any
    vabalninkas: Any
    gate: Any  # Pabiržė
    square: Any  # Pabiržė
    market: Any  # Vabalninkas: the officer may not ask for it
    t0: datetime  # the first recorded instant (UTC)
    users: dict[str, Any] = field(default_factory=dict)


def record_rows(camera: Any, start: datetime, minutes: int) -> None:
    """Index rows of contiguous 4 s segments (no files: coverage and holds need only the rows)."""
    Segment.objects.bulk_create(
        SegmentFactory.build(camera=camera, start=start + timedelta(seconds=4 * n)) for n in range(minutes * 15)
    )


def officer(username: str, *elderships: Any) -> Any:
    user = make_user(username, POLICE, first_name="Jonas", last_name=username.title())
    profile = PoliceProfile.objects.create(
        user=user, organisation="Panevėžio apskrities VPK", position="Tyrėjas", service_number=f"PK-{user.pk:04d}"
    )
    profile.elderships.set(elderships)
    return user


@pytest.fixture
def world(db: Any) -> World:
    pabirze = EldershipFactory(name="Pabiržės", code="pabirzes")
    vabalninkas = EldershipFactory(name="Vabalninko", code="vabalninko")
    gate = CameraFactory(eldership=pabirze, name="Pabiržė – vartai", latitude="56.17", longitude="24.70")
    square = CameraFactory(eldership=pabirze, name="Pabiržė – aikštė", latitude="56.18", longitude="24.71")
    market = CameraFactory(eldership=vabalninkas, name="Vabalninkas – turgus")
    t0 = (timezone.now() - timedelta(hours=2)).replace(second=0, microsecond=0)
    for camera in (gate, square, market):
        record_rows(camera, t0, RECORDED_MINUTES)
    Gap.objects.create(
        camera=gate,
        start=t0 + timedelta(minutes=3),
        end=t0 + timedelta(minutes=3, seconds=20),
        cause="camera_unreachable",
    )
    Segment.objects.filter(
        camera=gate, start__gte=t0 + timedelta(minutes=3), start__lt=t0 + timedelta(minutes=3, seconds=20)
    ).delete()
    users = {
        "police": officer("tyrejas", pabirze),
        "other_police": officer("kitas"),
        "reviewer": make_user("perziuretojas", REVIEWER),
    }
    return World(pabirze, vabalninkas, gate, square, market, t0, users)


def local_text(instant: datetime) -> str:
    return f"{local(instant):%Y-%m-%dT%H:%M:%S}"


def body(world: World, **overrides: Any) -> dict[str, Any]:
    """A valid request for the gate and the square, minutes 1 to 6 of the recording."""
    return {
        "cameras": [world.gate.pk, world.square.pk],
        "start": local_text(world.t0 + timedelta(minutes=1)),
        "end": local_text(world.t0 + timedelta(minutes=6)),
        "case_number": "01-1-04567-26",
        "legal_basis": "pre_trial",
        "legal_basis_text": "BPK 97 str.",
        "reason": "Vagystė iš kiosko prie vartų",
        **overrides,
    }


def api_of(user: Any) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    return log_in_verified(client, user)


@pytest.fixture
def police_api(world: World) -> APIClient:
    return api_of(world.users["police"])


@pytest.fixture
def reviewer_api(world: World) -> APIClient:
    return api_of(world.users["reviewer"])


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.fixture(autouse=True)
def _exports_root(tmp_path: Any, settings: Any) -> None:
    settings.EXPORTS_ROOT = tmp_path / "exports"
