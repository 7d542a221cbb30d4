"""Only superusers grant superuser or staff status, permissions, or the roles of staff."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from accounts.roles import ADMINISTRATOR, OPERATOR, REVIEWER
from tests.support.admin import user_change_form
from tests.support.auth import log_in_verified, make_user

pytestmark = pytest.mark.django_db


def change_form(client: Client, user, **changes) -> dict:
    """What the admin's change form of the user would post, with the changes."""
    return user_change_form(user, **changes)


def test_an_administrator_cannot_make_themselves_or_anyone_superuser(world):
    administrator = world.users["administrator"]
    client = log_in_verified(Client(), administrator)
    page = client.get(f"/admin/auth/user/{administrator.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    all_perms = list(Permission.objects.values_list("pk", flat=True))
    for target in (administrator, world.users["operator"]):
        response = client.post(
            f"/admin/auth/user/{target.pk}/change/",
            change_form(client, target, is_superuser="on", is_staff="on", user_permissions=all_perms),
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        target.refresh_from_db()
        assert not target.is_superuser
        assert not target.user_permissions.exists()
    assert not world.users["operator"].is_staff


def test_an_administrator_cannot_change_the_roles_of_staff_or_grant_the_administrator_role(world):
    administrator = world.users["administrator"]
    client = log_in_verified(Client(), administrator)
    reviewer_group = Group.objects.get(name=REVIEWER)
    admin_group = Group.objects.get(name=ADMINISTRATOR)
    other_admin = make_user("kitas-administratorius", ADMINISTRATOR)
    refused = client.post(
        f"/admin/auth/user/{other_admin.pk}/change/", change_form(client, other_admin, groups=[reviewer_group.pk])
    )
    assert refused.status_code == 403
    assert set(other_admin.groups.values_list("name", flat=True)) == {ADMINISTRATOR}

    operator = world.users["operator"]
    refused = client.post(
        f"/admin/auth/user/{operator.pk}/change/", change_form(client, operator, groups=[admin_group.pk])
    )  # the Administrator role is not even offered
    assert refused.status_code == 200 and "groups" in refused.context["adminform"].form.errors
    assert set(operator.groups.values_list("name", flat=True)) == {OPERATOR}
    # A non-staff colleague's roles are the Administrator's to manage.
    ok = client.post(
        f"/admin/auth/user/{operator.pk}/change/", change_form(client, operator, groups=[reviewer_group.pk])
    )
    assert ok.status_code == 302
    assert set(operator.groups.values_list("name", flat=True)) == {REVIEWER}


def test_a_superusers_account_is_out_of_an_administrators_reach(world, admin_user):
    client = log_in_verified(Client(), world.users["administrator"])
    assert client.get(f"/admin/auth/user/{admin_user.pk}/password/").status_code == 403
    response = client.post(f"/admin/auth/user/{admin_user.pk}/change/", change_form(client, admin_user, is_active=None))
    assert response.status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_superuser_still_grants_superuser_status(world, admin_client):
    operator = world.users["operator"]
    response = admin_client.post(
        f"/admin/auth/user/{operator.pk}/change/", change_form(admin_client, operator, is_superuser="on", is_staff="on")
    )
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.is_superuser and operator.is_staff


def test_an_administrator_cannot_take_over_or_delete_a_colleagues_or_a_superusers_account(world, admin_user):
    administrator = world.users["administrator"]
    colleague = make_user("kitas-administratorius", ADMINISTRATOR)
    client = log_in_verified(Client(), administrator)
    for account in (colleague, admin_user):
        assert client.get(f"/admin/auth/user/{account.pk}/password/").status_code == 403
        assert client.post(f"/admin/auth/user/{account.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = client.post(
        "/admin/auth/user/",
        {"action": "delete_selected", "_selected_action": [colleague.pk, world.users["police"].pk], "post": "yes"},
    )
    assert bulk.status_code == 403
    assert (
        type(administrator).objects.filter(pk__in=[colleague.pk, admin_user.pk, world.users["police"].pk]).count() == 3
    )
    # Their own account and non-staff colleagues' stay theirs to look after.
    assert client.get(f"/admin/auth/user/{administrator.pk}/password/").status_code == 200
    assert client.get(f"/admin/auth/user/{world.users['police'].pk}/password/").status_code == 200
