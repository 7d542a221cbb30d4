"""Admin for cameras: configuration with validation, live status, a connection test, decommissioning,
and deletion only of a camera that never left footage."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import recorder
from .forms import CameraAdminForm, DecommissionForm
from .models import Camera, CameraStatus
from .reasons import reason_text
from .services import decommission_camera, deletion_blockers


class CameraStatusInline(admin.StackedInline):
    model = CameraStatus
    can_delete = False
    extra = 0
    max_num = 0
    # The reason is stored as a code: shown as its text, in the admin user's language.
    readonly_fields = [f if f != "reason" else "reason_text" for f in CameraStatus.REPORTED_FIELDS] + ["recorder"]
    fields = readonly_fields

    @admin.display(description=_("reason"))
    def reason_text(self, status: CameraStatus) -> str:
        return reason_text(status.reason)


@admin.register(Camera)
class CameraAdmin(admin.ModelAdmin):
    form = CameraAdminForm
    list_display = ["name", "eldership", "enabled", "state", "last_segment", "clock_offset", "retention_days"]
    list_filter = ["eldership", "enabled", ("decommissioned_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "place"]
    list_select_related = ["eldership", "status"]
    inlines = [CameraStatusInline]
    actions = ["test_connection", "decommission"]
    readonly_fields = ["decommissioned_at", "decommission_reason"]
    fieldsets = [
        (None, {"fields": ["eldership", "name", "place", ("latitude", "longitude"), "enabled"]}),
        (_("Stream"), {"fields": ["rtsp_url", "rtsp_username", "rtsp_password", "clear_credentials"]}),
        (_("Retention and purpose"), {"fields": ["retention_days", "purpose", "legal_basis"]}),
        (_("Decommissioning"), {"fields": ["decommissioned_at", "decommission_reason"]}),
    ]

    @admin.display(description=_("state"))
    def state(self, camera: Camera) -> str:
        status = getattr(camera, "status", None)
        if camera.decommissioned_at is not None:
            return _("Decommissioned")
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
            recorder.wake_recorders()

    @admin.action(description=_("Test connection"))
    def test_connection(self, request: HttpRequest, queryset: QuerySet[Camera]) -> None:
        for camera in queryset:
            result = recorder.probe(camera)
            level = messages.SUCCESS if result.ok else messages.ERROR
            self.message_user(request, f"{camera.name}: {result}", level)

    @admin.action(description=_("Decommission (stop recording, keep the footage)"), permissions=["change"])
    def decommission(self, request: HttpRequest, queryset: QuerySet[Camera]) -> TemplateResponse | None:
        form = DecommissionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for camera in queryset:
                try:
                    decommission_camera(camera_id=camera.pk, reason=form.cleaned_data["reason"], request=request)
                except ValidationError as exc:
                    self.message_user(request, " ".join(exc.messages), messages.ERROR)
                    continue
                message = gettext("%(name)s is decommissioned: no longer recorded; its footage stays until retention.")
                self.message_user(request, message % {"name": camera.name}, messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Decommission cameras"),
            "cameras": queryset,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/cameras/camera/decommission.html", context)

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[list, dict, set, list]:
        """Refuse, with the reason, to delete a camera that still has footage or records of it.

        Checked before Django collects the related rows: listing a camera's month of segments one by one
        would take minutes; counts say the same."""
        protected = []
        for camera in objs:
            if blockers := deletion_blockers(camera.pk):
                counts = ", ".join(f"{kind}: {count}" for kind, count in blockers.items())
                protected.append(
                    gettext(
                        "%(name)s still has footage or records of it (%(counts)s). A camera is deleted only "
                        "when none remain; to take it out of service, decommission it: recording stops and "
                        "its footage stays until retention removes it."
                    )
                    % {"name": camera.name, "counts": counts}
                )
        if protected:
            return [str(camera) for camera in objs], {}, set(), protected
        return super().get_deleted_objects(objs, request)
