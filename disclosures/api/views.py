"""The request API: list and submit requests, coverage of a range, review, withdraw, download."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import ActionPermission
from audit.services import client_ip
from disclosures import services
from disclosures.coverage import coverage
from disclosures.models import DisclosureRequest
from disclosures.views import package_response
from exports.models import Export

from .serializers import (
    CoverageQuerySerializer,
    RequestCreateSerializer,
    RequestSerializer,
    ReviewSerializer,
    WithdrawSerializer,
)

VIEW = "disclosures.view_disclosurerequest"


def _drf_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class DisclosureRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Requests: police see and submit their own; reviewers see all and decide them."""

    permission_classes = [ActionPermission]
    action_permissions = {
        "list": VIEW,
        "retrieve": VIEW,
        "create": "disclosures.add_disclosurerequest",
        "coverage": "disclosures.add_disclosurerequest",
        "review": "disclosures.review_disclosurerequest",
        "withdraw": VIEW,
        "download": VIEW,
    }
    serializer_class = RequestSerializer

    def get_queryset(self) -> QuerySet[DisclosureRequest]:
        return (
            DisclosureRequest.objects.restrict(self.request.user, "view")
            .select_related("requester", "reviewed_by", "export")
            .prefetch_related("cameras", "approved_cameras", "custody__user")
        )

    @extend_schema(request=RequestCreateSerializer, responses={201: RequestSerializer})
    def create(self, request: Request) -> Response:
        body = RequestCreateSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = services.submit_request(
            requester=request.user,
            cameras=list(data["cameras"]),
            start=data["start_utc"],
            end=data["end_utc"],
            case_number=data["case_number"],
            legal_basis=data["legal_basis"],
            legal_basis_text=data["legal_basis_text"],
            reason=data["reason"],
            ip=client_ip(request),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=created.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("camera", OpenApiTypes.INT, required=True, many=True, explode=True),
            OpenApiParameter("start", OpenApiTypes.STR, required=True),
            OpenApiParameter("end", OpenApiTypes.STR, required=True),
            OpenApiParameter("start_fold", OpenApiTypes.INT),
            OpenApiParameter("end_fold", OpenApiTypes.INT),
        ],
        responses=OpenApiTypes.OBJECT,
    )
    @action(detail=False, methods=["get"])
    def coverage(self, request: Request) -> Response:
        """What exists per camera in the range: recorded seconds, gaps with causes, deleted ranges."""
        params = {**request.query_params.dict(), "cameras": ",".join(request.query_params.getlist("camera"))}
        query = CoverageQuerySerializer(data=params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return Response({"cameras": [c.as_json() for c in coverage(data["cameras"], data["start"], data["end"])]})

    @extend_schema(request=ReviewSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        cameras = None
        if data.get("cameras"):
            cameras = list(item.cameras.filter(pk__in=data["cameras"]))
            if len(cameras) != len(set(data["cameras"])):
                raise ValidationError({"cameras": [services.not_requested_message()]})
        try:
            services.review_request(
                request_id=item.pk,
                reviewer=request.user,
                decision=data["decision"],
                reason=data["reason"],
                cameras=cameras,
                start=data["start_utc"],
                end=data["end_utc"],
                ip=client_ip(request),
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(request=WithdrawSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        item = self.get_object()
        if item.requester_id != request.user.pk:
            raise Http404
        body = WithdrawSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            services.withdraw_request(
                request_id=item.pk, user=request.user, reason=body.validated_data["reason"], ip=client_ip(request)
            )
        except DjangoValidationError as exc:
            raise _drf_error(exc) from exc
        return Response(self.get_serializer(self.get_queryset().get(pk=item.pk)).data)

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The evidence package, for its requester only, until the link expires (410 after)."""
        item = self.get_object()
        if item.requester_id != request.user.pk or item.export is None or item.export.state != Export.State.READY:
            raise Http404
        if item.link_expired():
            return Response({"detail": services.expired_message(item)}, status=status.HTTP_410_GONE)
        return package_response(item, request)
