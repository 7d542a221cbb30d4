"""Admin for holds (create, release with a reason) and the read-only record of deleted footage."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from birzai_vms.readonly_admin import ReadOnlyAdmin

from . import services
from .models import DeletedRange, Hold


class HoldForm(forms.ModelForm):
    release_now = forms.CharField(
        label=_("Release with reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Fill in to release this hold; the reason is kept on record."),
    )

    class Meta:
        model = Hold
        fields = ["cameras", "start", "end", "reason"]


@admin.register(Hold)
class HoldAdmin(admin.ModelAdmin):
    form = HoldForm
    list_display = ["id", "start", "end", "reason", "created_by", "created_at", "released_at"]
    list_filter = [("released_at", admin.EmptyFieldListFilter), "cameras"]
    filter_horizontal = ["cameras"]
    readonly_fields = ["created_by", "created_at", "released_at", "released_by", "release_reason"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Hold]:
        return super().get_queryset(request).restrict(request.user, "view")

    def get_fields(self, request: HttpRequest, obj: Hold | None = None) -> list[str]:
        if obj is None:
            return ["cameras", "start", "end", "reason"]
        fields = ["cameras", "start", "end", "reason", "created_by", "created_at"]
        if not obj.is_active:
            return [*fields, "released_at", "released_by", "release_reason"]
        return [*fields, "release_now"] if request.user.has_perm("retention.release_hold") else fields

    def get_readonly_fields(self, request: HttpRequest, obj: Hold | None = None) -> list[str]:
        # A hold's scope is fixed once made: widening or narrowing it is a new hold and a release.
        if obj is None:
            return []
        return ["cameras", "start", "end", "reason", *self.readonly_fields]

    def has_delete_permission(self, request: HttpRequest, obj: Hold | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Hold, form: HoldForm, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            # Through the service, like the API and police requests: same locking and validation.
            hold = services.create_hold(
                camera_ids=[c.pk for c in data["cameras"]],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                created_by=request.user,
            )
            obj.pk, obj.created_at, obj.created_by = hold.pk, hold.created_at, hold.created_by
            return
        if (reason := (data.get("release_now") or "").strip()) and request.user.has_perm("retention.release_hold"):
            try:
                services.release_hold(hold_id=obj.pk, reason=reason, released_by=request.user)
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))

    def save_related(self, request: HttpRequest, form: HoldForm, formsets: object, change: bool) -> None:
        pass  # cameras are set by create_hold and never changed afterwards


@admin.register(DeletedRange)
class DeletedRangeAdmin(ReadOnlyAdmin):
    list_display = ["camera", "start", "end", "segment_count", "bytes", "reason", "deleted_at"]
    list_filter = ["reason", "camera"]
    date_hierarchy = "start"
    list_select_related = ["camera"]
