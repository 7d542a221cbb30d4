"""Every migration that gives the roles their permissions runs the one shared function, and that function,
run on the historical models of the migration graph, gives each role group what accounts/roles.py lists."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations import RunPython

from accounts.role_migrations import apply_role_permissions
from accounts.roles import ROLE_PERMISSIONS

pytestmark = pytest.mark.django_db

ROLE_MIGRATIONS = [
    ("accounts", "0002_roles"),
    ("accounts", "0003_hold_and_alarm_permissions"),
    ("accounts", "0004_request_permissions"),
    ("accounts", "0005_clip_export_permission"),
    ("accounts", "0007_profile_permissions"),
    ("incidents", "0002_role_permissions"),
]


def granted(role: str) -> set[str]:
    return {
        f"{app}.{codename}"
        for app, codename in Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename")
    }


def test_the_role_migrations_run_the_shared_function():
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    for key in ROLE_MIGRATIONS:
        operations = loader.disk_migrations[key].operations
        assert [type(op) for op in operations] == [RunPython], key
        assert operations[0].code is apply_role_permissions, key


def test_the_shared_function_gives_back_the_permissions_a_role_lost():
    for role in ROLE_PERMISSIONS:
        Group.objects.get(name=role).permissions.clear()
    loader = MigrationLoader(connection)
    historical = loader.project_state(list(loader.graph.leaf_nodes())).apps
    apply_role_permissions(historical, SimpleNamespace(connection=connection))
    for role, wanted in ROLE_PERMISSIONS.items():
        assert granted(role) == set(wanted), role
