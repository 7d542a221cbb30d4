"""The audit log in the admin: read-only."""

from django.contrib import admin
from django.http import HttpRequest

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the admin offers no way to add, change or delete an entry."""

    list_display = ["seq", "at", "action", "username", "camera_name", "target", "ip_address"]
    list_filter = ["action"]
    search_fields = ["username", "camera_name", "target"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
