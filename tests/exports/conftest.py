"""Fixtures of the export tests: real recorded footage, a signing key and an exports folder per test."""

import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from accounts.roles import OPERATOR
from exports import services
from exports.models import Export
from exports.tasks import build_export
from tests.factories import CameraFactory, EldershipFactory
from tests.retention.conftest import integrity_key  # noqa: F401
from tests.support.auth import make_user

T0 = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def exports_root(tmp_path: Path, settings: Any) -> Path:
    settings.EXPORTS_ROOT = tmp_path / "exports"
    return settings.EXPORTS_ROOT


@pytest.fixture
def camera(db: None) -> Any:
    eldership = EldershipFactory(name="Pabiržės", code="pabirzes")
    return CameraFactory(eldership=eldership, name="Pabiržė, turgus", latitude="56.2101", longitude="24.6812")


@pytest.fixture
def operator(camera: Any) -> Any:
    return make_user("operatorius", OPERATOR, elderships=(camera.eldership,))


@pytest.fixture
def built(recordings_root: Path, exports_root: Path, integrity_key: Path) -> Callable[..., Export]:  # noqa: F811
    """Start an export and build it here, in this process (the task a worker would run)."""

    def build(**options: Any) -> Export:
        export = services.start_export(**options)
        build_export(export.pk)
        export.refresh_from_db()
        return export

    return build


def unpack(export: Export, into: Path) -> Path:
    with zipfile.ZipFile(services.package_path(export)) as archive:
        archive.extractall(into)
    return into
