"""Admin for integrity records: read-only facts."""

from django.contrib import admin

from birzai_vms.readonly_admin import ReadOnlyAdmin

from .models import DailyDigest, DeletionRecord, QuarantinedFile


@admin.register(DailyDigest)
class DailyDigestAdmin(ReadOnlyAdmin):
    list_display = ["camera", "day", "segment_count", "head", "key_id", "sealed_at"]
    list_filter = ["camera"]
    exclude = ["entries"]
    date_hierarchy = "day"


@admin.register(DeletionRecord)
class DeletionRecordAdmin(ReadOnlyAdmin):
    list_display = ["camera", "day", "reason", "deleted_at", "head"]
    list_filter = ["reason", "camera"]
    exclude = ["entries"]


@admin.register(QuarantinedFile)
class QuarantinedFileAdmin(ReadOnlyAdmin):
    list_display = ["quarantined_at", "camera", "original_path", "reason", "bytes"]
    list_filter = ["camera"]
