"""Admin for cameras: configuration with validation, live status, and a connection test."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from recordings.tasks import dispatch_after_commit

from .forms import CameraAdminForm
from .models import Camera, CameraStatus
from .services import probe_camera


class CameraStatusInline(admin.StackedInline):
    model = CameraStatus
    can_delete = False
    extra = 0
    max_num = 0
    readonly_fields = [*CameraStatus.REPORTED_FIELDS, "recorder"]
    fields = readonly_fields


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    form = CameraAdminForm
    list_display = ["name", "eldership", "enabled", "state", "last_segment", "clock_offset", "retention_days"]
    list_filter = ["eldership", "enabled"]
    search_fields = ["name", "place"]
    list_select_related = ["eldership", "status"]
    inlines = [CameraStatusInline]
    actions = ["test_connection"]
    fieldsets = [
        (None, {"fields": ["eldership", "name", "place", ("latitude", "longitude"), "enabled"]}),
        (_("Stream"), {"fields": ["rtsp_url", "rtsp_username", "rtsp_password", "clear_credentials"]}),
        (_("Retention and purpose"), {"fields": ["retention_days", "purpose", "legal_basis"]}),
    ]

    @admin.display(description=_("state"))
    def state(self, camera: Camera) -> str:
        status = getattr(camera, "status", None)
        if status is None:
            return _("Not recorded yet") if camera.enabled else _("Disabled")
        state, reason = status.effective_state()
        label = dict(status._meta.get_field("state").choices).get(state, state)
        text = f"{label}: {reason}" if reason else str(label)
        return f"{text} ({_('audio not recorded')})" if status.audio_dropped else text

    @admin.display(description=_("last segment end"))
    def last_segment(self, camera: Camera) -> object:
        status = getattr(camera, "status", None)
        return status.last_segment_end if status else None

    @admin.display(description=_("camera clock offset (s)"))
    def clock_offset(self, camera: Camera) -> str:
        status = getattr(camera, "status", None)
        if status is not None and status.camera_clock_unset:
            return _("camera clock not set")
        if status is None or status.clock_offset_s is None:
            return "—"
        return f"{status.clock_offset_s:+.2f}"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Camera]:
        # Camera.objects.visible_to is the one place that decides who sees which camera.
        return super().get_queryset(request).filter(pk__in=Camera.objects.visible_to(request.user))

    def save_model(self, request: HttpRequest, obj: Camera, form: CameraAdminForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if obj.enabled:
            dispatch_after_commit()

    @admin.action(description=_("Test connection"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Camera]) -> None:
        for camera in queryset:
            result = probe_camera(camera)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{camera.name}: {result}", level)
