"""Admin for alarms: read-only, they open and close by themselves."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Alarm


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["started_at", "severity", "kind", "camera", "text", "ended_at"]
    readonly_fields = ["text"]
    list_filter = ["severity", "kind", ("ended_at", admin.EmptyFieldListFilter)]
    list_select_related = ["camera"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    @admin.display(description=_("message"))
    def text(self, alarm: Alarm) -> str:
        return alarm.text  # rendered in the admin user's language
