"""Fixtures of the audit tests: the world of roles, and a signing key of the test's own."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.roles import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def integrity_key(tmp_path: Path, settings: object) -> Iterator[Path]:
    """The installation key that signs audit heads, in the test's directory (never var/secrets)."""
    from birzai_vms import keys

    settings.INTEGRITY_KEY_PATH = tmp_path / "secrets" / "integrity_ed25519.pem"
    keys._private_key.cache_clear()
    yield settings.INTEGRITY_KEY_PATH
    keys._private_key.cache_clear()
