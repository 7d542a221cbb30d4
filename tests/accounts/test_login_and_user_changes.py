"""Logging in without ?next= lands on the dashboard; saving a user records only what changed."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from audit.admin_mixins import _changes, snapshot
from audit.choices import AuditAction
from audit.models import AuditEntry
from tests.support.auth import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_login_without_next_lands_on_the_dashboard(world):
    response = Client().post("/accounts/login/", {"username": "operatorius", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_the_same_instant_in_another_zone_is_no_change(world):
    user = world.users["operator"]
    user.last_login = datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)
    before = snapshot(user)
    user.last_login = user.last_login.astimezone(ZoneInfo("Europe/Vilnius"))
    assert _changes(before, snapshot(user), set()) == {}


def test_saving_a_user_in_the_admin_records_only_what_changed(world, admin_client):
    operator = world.users["operator"]
    type(operator).objects.filter(pk=operator.pk).update(
        last_login=datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)
    )
    form = admin_client.get(f"/admin/auth/user/{operator.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, datetime)}
    data.update(
        email="naujas@example.org",
        groups=[g.pk for g in operator.groups.all()],
        is_active="on",
        password=operator.password,
    )
    # The inlines (preferred language, officer's details), untouched.
    data.update(
        {
            f"{inline}-{count}": "0"
            for inline in ("profile", "police_profile")
            for count in ("TOTAL_FORMS", "INITIAL_FORMS")
        }
    )
    data.pop("user_permissions", None)
    response = admin_client.post(f"/admin/auth/user/{operator.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditEntry.objects.get(action=AuditAction.CONFIG_CHANGED, target__contains="operatorius")
    assert set(entry.details["changes"]) == {"email"}
    operator.refresh_from_db()
    assert operator.last_login == datetime(2026, 11, 20, 10, 0, 0, 123456, tzinfo=UTC)
