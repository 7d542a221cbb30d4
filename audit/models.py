"""The audit log: append-only entries, each chained to the previous one by SHA-256."""

import hashlib
import json
from datetime import UTC

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .errors import AppendOnlyError
from .querysets import AuditEntryQuerySet, SignedHeadQuerySet

GENESIS_HASH = "0" * 64


class AuditEntry(models.Model):
    """Who did what, when, from where; never changed or deleted (a trigger refuses it on PostgreSQL)."""

    # A contiguous number assigned under a lock: a removed entry leaves a hole that verify_audit sees.
    seq = models.PositiveBigIntegerField(_("number"), unique=True)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices, db_index=True)
    # No database constraint and no cascade: deleting a user or camera must never touch the log;
    # the names are kept as text so the entry still reads right afterwards.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    camera = models.ForeignKey(
        "cameras.Camera",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("camera"),
    )
    camera_name = models.CharField(_("camera name"), max_length=120, blank=True)
    target = models.CharField(_("object"), max_length=255, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        default_permissions = ("view",)
        permissions = [("export_auditentry", _("Can export the audit log"))]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.username}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> None:
        raise AppendOnlyError("audit entries cannot be deleted")

    def payload(self) -> bytes:
        """The canonical bytes the hash covers: every field but the hash itself."""
        data = {
            "seq": self.seq,
            "at": self.at.astimezone(UTC).isoformat(timespec="microseconds"),
            "action": self.action,
            "user": self.user_id,
            "username": self.username,
            "camera": self.camera_id,
            "camera_name": self.camera_name,
            "target": self.target,
            # Round-trip through JSON so the bytes are the same before saving and after loading.
            "details": json.loads(json.dumps(self.details, cls=DjangoJSONEncoder)),
            "ip_address": self.ip_address,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()


def camera_model() -> type[models.Model]:
    """The camera model, reached through the relation the log declares: the audit log sits below the
    cameras app and imports nothing of it (entries name a camera; they do not depend on its code)."""
    return AuditEntry._meta.get_field("camera").related_model


class SignedHead(models.Model):
    """The log's head (number and hash of its last entry) at one moment, signed with the installation's
    Ed25519 key (birzai_vms/keys.py; the key is a file, never in the database). Someone with write access
    to the database can rewrite entries and recompute every hash after them, or cut entries off the end,
    and the chain alone still reads as intact; a signed head they cannot forge shows both. Append-only
    like the entries (a trigger refuses UPDATE, DELETE and TRUNCATE on PostgreSQL)."""

    seq = models.PositiveBigIntegerField(_("number"))
    hash = models.CharField(_("hash"), max_length=64)
    signed_at = models.DateTimeField(_("signed"), default=timezone.now, db_index=True)
    key_id = models.CharField(_("key"), max_length=16)
    signature = models.CharField(_("signature"), max_length=128)

    objects = SignedHeadQuerySet.as_manager()

    class Meta:
        ordering = ["-seq", "-signed_at"]
        verbose_name = _("signed audit head")
        verbose_name_plural = _("signed audit heads")
        default_permissions = ("view",)
        indexes = [models.Index(fields=["seq"], name="audit_signedhead_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}… {self.signed_at:%Y-%m-%d %H:%M:%S}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("signed audit heads cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> None:
        raise AppendOnlyError("signed audit heads cannot be deleted")

    def message(self) -> bytes:
        """The bytes the signature covers."""
        data = {
            "kind": "audit-head",
            "seq": self.seq,
            "hash": self.hash,
            "signed_at": self.signed_at.astimezone(UTC).isoformat(timespec="microseconds"),
        }
        return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
