"""Roles and scope of a user: who has which role, who needs two factors, which elderships they see."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from .roles import ADMINISTRATOR, OPERATOR, REVIEWER, ROLE_PERMISSIONS, ROLES, TWO_FACTOR_ROLES


def role_names(user: Any) -> frozenset[str]:
    """The user's roles, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_vms_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user._vms_roles = cached
    return cached


def requires_two_factor(user: Any) -> bool:
    """Administrators, reviewers and superusers must log in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or role_names(user) & TWO_FACTOR_ROLES)


def two_factor_satisfied(user: Any) -> bool:
    return not requires_two_factor(user) or bool(getattr(user, "is_verified", lambda: False)())


def sees_all_cameras(user: Any) -> bool:
    return bool(user.is_superuser or role_names(user) & {ADMINISTRATOR, REVIEWER})


def browses_cameras(user: Any) -> bool:
    """Municipal staff who look at cameras (Operators, Reviewers, Administrators). Police and users
    without a role do not: they are refused plainly rather than shown an empty dashboard."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("cameras.view_camera"))


def scoped_eldership_ids(user: Any) -> list[int]:
    """The elderships of an Operator's scope (empty for anyone else)."""
    if OPERATOR not in role_names(user):
        return []
    return list(user.operator_scope.elderships.values_list("pk", flat=True)) if _has_scope(user) else []


def _has_scope(user: Any) -> bool:
    from .models import OperatorScope

    return OperatorScope.objects.filter(user=user).exists()


@transaction.atomic
def assign_role(*, user: Any, role: str, elderships: Iterable[Any] = ()) -> None:
    """Give the user a role (a group); for Operators, also the elderships they may see."""
    from .models import OperatorScope

    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    if role == OPERATOR:
        scope, _ = OperatorScope.objects.get_or_create(user=user)
        scope.elderships.add(*elderships)
    if role in {ADMINISTRATOR} and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.__dict__.pop("_vms_roles", None)


def ensure_roles(group_model: Any = Group, permission_model: Any = Permission) -> None:
    """Create the role groups and give them their permissions (adds what is missing, removes nothing:
    an administrator may have widened a role on purpose)."""
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        wanted = ROLE_PERMISSIONS.get(role, [])
        perms = []
        for name in wanted:
            app_label, codename = name.split(".", 1)
            perm = permission_model.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:  # an app not migrated yet; post_migrate runs this again later
                perms.append(perm)
        group.permissions.add(*perms)
