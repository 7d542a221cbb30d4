"""The audit log in the admin: read-only."""

from django.contrib import admin

from birzai_vms.readonly_admin import ReadOnlyAdmin

from .models import AuditEntry, SignedHead


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the admin offers no way to add, change or delete an entry."""

    list_display = ["seq", "at", "action", "username", "camera_name", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "camera_name", "target"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(SignedHead)
class SignedHeadAdmin(ReadOnlyAdmin):
    """Read-only: the signed heads verify_audit compares the log with."""

    list_display = ["seq", "hash", "signed_at", "key_id"]
    readonly_fields = [f.name for f in SignedHead._meta.fields]
