"""The admin mixin that audits every configuration change: who, what, before and after, secrets masked."""

import copy
import hashlib
from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from .choices import AuditAction
from .models import camera_model
from .services import MASK, SECRET_KEY_PATTERN, record


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's concrete field values (and many-to-many ids) as JSON-able data, secrets masked."""
    data: dict[str, Any] = {}
    # A model names the fields to show redacted and how (Camera: credentials in the query of a URL stored
    # before they were refused); the log itself knows no app's fields.
    redactions = getattr(obj, "audit_redactions", {})
    for field in obj._meta.concrete_fields:
        value = field.value_from_object(obj)
        if _is_secret(field):
            value = MASK if value else ""
        elif field.name in redactions and isinstance(value, str):
            value = redactions[field.name](value)
        elif isinstance(value, datetime) and value.tzinfo is not None:
            # The stored value comes back in UTC, the form's in local time: as strings they always differ.
            value = value.astimezone(UTC).isoformat()
        elif value is not None and not isinstance(value, bool | int | float | str):
            value = str(value)
        data[field.attname] = value
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            data[field.name] = sorted(str(o) for o in getattr(obj, field.name).all())
    return data


def _is_secret(field: models.Field) -> bool:
    # Fields that hold secrets say so (`secret = True`, e.g. cameras' EncryptedTextField).
    return getattr(field, "secret", False) is True or bool(SECRET_KEY_PATTERN.search(field.name))


def _secret_digests(obj: models.Model) -> dict[str, str]:
    """Digests of the secret fields, kept in memory only: they tell whether a secret changed."""
    return {
        f.attname: hashlib.sha256(str(f.value_from_object(obj)).encode()).hexdigest()
        for f in obj._meta.concrete_fields
        if _is_secret(f)
    }


def _changes(before: dict[str, Any], after: dict[str, Any], secret_changed: set[str]) -> dict[str, Any]:
    changed = {}
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key) or key in secret_changed:
            changed[key] = {"before": before.get(key), "after": after.get(key)}
    return changed


class AuditedAdminMixin:
    """Records every add, change and delete made in the admin: who, what, before and after."""

    def save_model(self, request: HttpRequest, obj: models.Model, form: ModelForm, change: bool) -> None:
        if change and obj.pk is not None:
            stored = type(obj)._base_manager.filter(pk=obj.pk).first()
            request._audit_before = snapshot(stored) if stored is not None else {}
            request._audit_secrets = _secret_digests(stored) if stored is not None else {}
        else:
            request._audit_before, request._audit_secrets = {}, {}
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        obj = form.instance
        before = getattr(request, "_audit_before", {})
        after = snapshot(obj)
        if change:
            old, new = getattr(request, "_audit_secrets", {}), _secret_digests(obj)
            changes = _changes(before, after, {name for name in new if old.get(name) != new[name]})
            if not changes:
                return
            details = {"model": obj._meta.label, "pk": obj.pk, "changes": changes}
            action = AuditAction.CONFIG_CHANGED
        else:
            details = {"model": obj._meta.label, "pk": obj.pk, "after": after}
            action = AuditAction.CONFIG_CREATED
        record(action=action, request=request, camera=_camera_of(obj), target=_target(obj), details=details)

    def delete_model(self, request: HttpRequest, obj: models.Model) -> None:
        # A copy: deleting a camera clears the pk of the very instance the entry must name.
        before, camera, target = snapshot(obj), copy.copy(_camera_of(obj)), _target(obj)
        super().delete_model(request, obj)
        details = {"model": obj._meta.label, "pk": before.get("id"), "before": before}
        record(action=AuditAction.CONFIG_DELETED, request=request, camera=camera, target=target, details=details)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        gone = [(snapshot(obj), _camera_of(obj), _target(obj), obj._meta.label) for obj in queryset]
        super().delete_queryset(request, queryset)
        for before, camera, target, label in gone:
            details = {"model": label, "pk": before.get("id"), "before": before}
            record(action=AuditAction.CONFIG_DELETED, request=request, camera=camera, target=target, details=details)


def _camera_of(obj: models.Model) -> Any:
    return obj if isinstance(obj, camera_model()) else None


def _target(obj: models.Model) -> str:
    return f"{obj._meta.verbose_name}: {obj}"
