"""Admin for the recording index: read-only, since segments and gaps are facts, not settings."""

from django.contrib import admin

from birzai_vms.readonly_admin import ReadOnlyAdmin

from .models import Gap, Segment


@admin.register(Segment)
class SegmentAdmin(ReadOnlyAdmin):
    list_display = ["camera", "start", "end", "bytes", "codec", "width", "height", "node"]
    list_filter = ["camera__eldership", "camera"]
    date_hierarchy = "start"
    list_select_related = ["camera"]


@admin.register(Gap)
class GapAdmin(ReadOnlyAdmin):
    list_display = ["camera", "start", "end", "cause", "detail"]
    list_filter = ["cause", "camera"]
    date_hierarchy = "start"
    list_select_related = ["camera"]
