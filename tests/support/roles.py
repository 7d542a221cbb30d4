"""A small world for access tests: two elderships, a camera in each, and a user of every role."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from accounts.roles import ADMINISTRATOR, OPERATOR, POLICE, REVIEWER
from recordings.models import Gap
from tests.factories import CameraFactory, EldershipFactory, SegmentFactory
from tests.support.auth import make_user

RTSP_PASSWORD = "Sl4ptas-RTSP-Zodis!"  # must never appear anywhere but the recorder's connection


@dataclass
class World:
    pabirze: Any
    vabalninkas: Any
    pabirze_camera: Any
    vabalninkas_camera: Any
    pabirze_segment: Any
    vabalninkas_segment: Any
    pabirze_gap: Any
    vabalninkas_gap: Any
    users: dict[str, Any] = field(default_factory=dict)


def build_world() -> World:
    pabirze = EldershipFactory(name="Pabiržės", code="pabirzes")
    vabalninkas = EldershipFactory(name="Vabalninko", code="vabalninko")
    cams = {
        e.code: CameraFactory(
            eldership=e, name=f"{e.name} centras", rtsp_username="operatorius", rtsp_password=RTSP_PASSWORD
        )
        for e in (pabirze, vabalninkas)
    }
    start = datetime(2026, 11, 20, 20, 10, tzinfo=UTC)
    segments, gaps = {}, {}
    for code, camera in cams.items():
        segments[code] = SegmentFactory(camera=camera, start=start)
        gaps[code] = Gap.objects.create(
            camera=camera,
            start=start + timedelta(seconds=4),
            end=start + timedelta(seconds=9),
            cause="camera_unreachable",
        )
    users = {
        "police": make_user("policininkas", POLICE),
        "operator": make_user("operatorius", OPERATOR, elderships=[pabirze]),
        "reviewer": make_user("perziuretojas", REVIEWER),
        "administrator": make_user("administratorius", ADMINISTRATOR),
    }
    return World(
        pabirze,
        vabalninkas,
        cams["pabirzes"],
        cams["vabalninko"],
        segments["pabirzes"],
        segments["vabalninko"],
        gaps["pabirzes"],
        gaps["vabalninko"],
        users,
    )
