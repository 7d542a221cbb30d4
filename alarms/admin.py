"""Admin for alarms: read-only, they open and close by themselves."""

from django.contrib import admin

from .models import Alarm


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["started_at", "severity", "kind", "camera", "message", "ended_at"]
    list_filter = ["severity", "kind", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["camera"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
