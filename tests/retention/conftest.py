"""Fixtures of the retention and integrity tests: a recordings root, a key, and a segment maker."""

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.retention.files import make_segments


@pytest.fixture
def integrity_key(tmp_path: Path, settings: object) -> Path:
    from birzai_vms import keys

    settings.INTEGRITY_KEY_PATH = tmp_path / "secrets" / "integrity_ed25519.pem"
    settings.QUARANTINE_ROOT = tmp_path / "quarantine"
    keys._private_key.cache_clear()
    yield settings.INTEGRITY_KEY_PATH
    keys._private_key.cache_clear()


@pytest.fixture
def segments(recordings_root: Path, integrity_key: Path, tmp_path_factory: pytest.TempPathFactory) -> Callable:
    template_dir = tmp_path_factory.getbasetemp()

    def make(camera: object, start: object, count: int) -> list:
        return make_segments(camera, start, count, template_dir)

    return make
