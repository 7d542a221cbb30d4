"""Views of the retention API: holds (create, release), deleted ranges, a camera's timeline, storage."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import ActionPermission, BrowsesCameras
from birzai_vms.fields import IdFilter
from cameras.models import Camera
from recordings.api.filters import TimeRangeFilter
from retention import services, storage
from retention.models import DeletedRange, Hold
from retention.timeline import timeline

from .serializers import (
    DeletedRangeSerializer,
    HoldSerializer,
    ProjectionSerializer,
    ReleaseSerializer,
    TimelineSerializer,
)


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class HoldFilter(django_filters.FilterSet):
    active = django_filters.BooleanFilter(field_name="released_at", lookup_expr="isnull", label="active")
    camera = IdFilter(field_name="cameras")

    class Meta:
        model = Hold
        fields = ["active", "camera"]


class HoldViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [BrowsesCameras, ActionPermission]
    action_permissions = {"create": "retention.add_hold"}
    serializer_class = HoldSerializer
    filterset_class = HoldFilter

    def get_queryset(self) -> QuerySet[Hold]:
        # Only holds all of whose cameras the user sees; one that also covers a camera out of scope is 404.
        return (
            Hold.objects.restrict(self.request.user, "view")
            .prefetch_related("cameras")
            .select_related("created_by", "released_by")
        )

    def perform_create(self, serializer: HoldSerializer) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.create_hold(
                camera_ids=[c.pk for c in data["cameras"]],
                start=data["start"],
                end=data["end"],
                reason=data["reason"],
                created_by=self.request.user,
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc

    @extend_schema(request=ReleaseSerializer, responses=HoldSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request: Request, pk: str | None = None) -> Response:
        hold = self.get_object()
        if not request.user.has_perm("retention.release_hold"):
            raise PermissionDenied(_("Only Reviewers and Administrators release holds."))
        body = ReleaseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            hold = services.release_hold(
                hold_id=hold.pk, reason=body.validated_data["reason"], released_by=request.user
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(HoldSerializer(hold, context=self.get_serializer_context()).data, status=status.HTTP_200_OK)


class DeletedRangeFilter(TimeRangeFilter):
    class Meta:
        model = DeletedRange
        fields = ["camera"]


class DeletedRangeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [BrowsesCameras]
    serializer_class = DeletedRangeSerializer
    filterset_class = DeletedRangeFilter

    def get_queryset(self) -> QuerySet[DeletedRange]:
        return DeletedRange.objects.restrict(self.request.user, "view").order_by("start")

    def filter_queryset(self, queryset: QuerySet[DeletedRange]) -> QuerySet[DeletedRange]:
        # The camera and time range select a list; one deleted range is found by its id alone.
        return super().filter_queryset(queryset) if self.action == "list" else queryset


class TimelineFilter(TimeRangeFilter):
    class Meta:
        model = Camera
        fields: list[str] = []


class TimelineView(APIView):
    """One camera's timeline between start and end (both required)."""

    permission_classes = [BrowsesCameras]

    @extend_schema(
        parameters=[
            OpenApiParameter("camera", OpenApiTypes.INT, required=True),
            OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
            OpenApiParameter("end", OpenApiTypes.DATETIME, required=True),
        ],
        responses=TimelineSerializer,
    )
    def get(self, request: Request) -> Response:
        params = TimelineFilter(request.query_params, queryset=Camera.objects.none(), request=request)
        if not params.is_valid():
            raise ValidationError(params.errors)
        data = params.form.cleaned_data
        missing = {k: ["This field is required."] for k in ("start", "end") if not data.get(k)}
        if missing:
            raise ValidationError(missing)
        result = timeline(camera_id=data["camera"].pk, start=data["start"], end=data["end"], user=request.user)
        return Response(TimelineSerializer(result).data)


class StorageView(APIView):
    """Per camera: bytes per day, current bitrate, stored bytes, and days the storage holds at these rates."""

    permission_classes = [BrowsesCameras]

    @extend_schema(responses=ProjectionSerializer(many=True))
    def get(self, request: Request) -> Response:
        visible = set(Camera.objects.visible_to(request.user).values_list("pk", flat=True))
        rows = [p for p in storage.project_storage() if p.camera_id in visible]
        return Response(ProjectionSerializer(rows, many=True).data)
