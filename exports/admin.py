"""Exports in the admin: read-only (an export is made by the application, never edited by hand)."""

from django.contrib import admin

from birzai_vms.readonly_admin import ReadOnlyAdmin

from .models import Export, ExportItem


class ExportItemInline(admin.TabularInline):
    model = ExportItem
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in ExportItem._meta.fields]

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Export)
class ExportAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "state", "progress", "created_by", "created_at", "finished_at", "attempts"]
    list_filter = ["kind", "state"]
    inlines = [ExportItemInline]
