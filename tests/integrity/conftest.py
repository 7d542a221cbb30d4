"""Fixtures of the integrity tests: the same real segment files as the retention tests."""

from tests.retention.conftest import integrity_key, segments  # noqa: F401
