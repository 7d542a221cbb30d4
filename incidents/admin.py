"""Admin for incidents: read-only, they open and close by themselves and are acknowledged on their page."""

from django.contrib import admin

from birzai_vms.readonly_admin import ReadOnlyAdmin

from .models import Incident


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "kind", "camera", "ended_at", "acknowledged_at", "acknowledged_by", "flaps"]
    list_filter = ["kind", ("ended_at", admin.EmptyFieldListFilter), ("acknowledged_at", admin.EmptyFieldListFilter)]
    list_select_related = ["camera", "acknowledged_by"]
    date_hierarchy = "started_at"
