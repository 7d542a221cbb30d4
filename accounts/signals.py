"""Audit handlers: logins, failed logins, lockouts, logouts and role changes; roles kept after migrate;
the user's language noted at every login."""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_migrate
from django.dispatch import receiver

from audit.choices import AuditAction
from audit.middleware import current_request
from audit.services import record
from eldership.models import Eldership

from .languages import language_on_login
from .models import OperatorScope
from .roles import ROLES

User = get_user_model()


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    device = getattr(user, "otp_device", None)
    record(action=AuditAction.LOGIN, user=user, request=request, details={"two_factor": device is not None})


@receiver(user_logged_in, dispatch_uid="login_language")
def note_login_language(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Every login, ours or the admin's (or any other view calling auth.login): the response sets the
    user's language cookie (LoginLanguageMiddleware), so the pages from there on are in their language.
    A receiver rather than each login view: a login page added later cannot forget it."""
    if request is not None:
        request.login_language = language_on_login(user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # credentials are already cleansed by Django (password replaced); only the name is kept.
    record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        target=str(credentials.get("username", ""))[:150],
        details={"reason": kwargs.get("reason", "")} if kwargs.get("reason") else None,
    )


@receiver(user_locked_out, dispatch_uid="audit_lockout")
def audit_lockout(sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any) -> None:
    record(action=AuditAction.LOCKOUT, request=request, target=str(username or "")[:150])


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record(action=AuditAction.LOGOUT, user=user, request=request)


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="audit_role_change")
def audit_role_change(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set | None, **kwargs: Any
) -> None:
    """Group membership changed from either side (user.groups or group.user_set)."""
    from django.contrib.auth.models import Group

    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if reverse:  # instance is a Group, pk_set are users
        pairs = [(u, [instance.name]) for u in User.objects.filter(pk__in=pk_set or [])]
        if action == "pre_clear":
            pairs = [(u, [instance.name]) for u in instance.user_set.all()]
    else:
        names = (
            list(instance.groups.values_list("name", flat=True))
            if action == "pre_clear"
            else list(Group.objects.filter(pk__in=pk_set or []).values_list("name", flat=True))
        )
        pairs = [(instance, names)]
    verb = "added" if action == "post_add" else "removed"
    request = current_request()
    for user, groups in pairs:
        if groups:
            user.__dict__.pop("_vms_roles", None)
            record(
                action=AuditAction.ROLE_CHANGED,
                request=request,
                target=f"user: {user.get_username()}",
                details={verb: sorted(groups), "roles": [g for g in groups if g in ROLES]},
            )


@receiver(m2m_changed, sender=OperatorScope.elderships.through, dispatch_uid="audit_scope_change")
def audit_scope_change(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set | None, **kwargs: Any
) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"} or reverse:
        return
    names = sorted(
        instance.elderships.values_list("name", flat=True)
        if action == "pre_clear"
        else Eldership.objects.filter(pk__in=pk_set or []).values_list("name", flat=True)
    )
    if names:
        verb = "added" if action == "post_add" else "removed"
        record(
            action=AuditAction.ROLE_CHANGED,
            request=current_request(),
            target=f"user: {instance.user.get_username()}",
            details={f"elderships_{verb}": names},
        )


@receiver(post_migrate, dispatch_uid="accounts_ensure_roles")
def keep_roles(sender: Any, **kwargs: Any) -> None:
    """Roles survive a flush and pick up permissions of apps migrated after accounts."""
    if getattr(sender, "name", "") != "accounts":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    from .services import ensure_roles

    # Apps listed after accounts get their permissions only later in this signal: create them now.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    ensure_roles()
