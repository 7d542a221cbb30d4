"""Fixtures of the access tests."""

import pytest

from tests.support.roles import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()
