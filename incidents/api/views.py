"""Views of the incident API: incidents of the cameras one may see, and acknowledging one with a note."""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.permissions import BrowsesCameras
from birzai_vms.fields import StrictModelChoiceFilter
from cameras.models import Camera
from incidents.models import Incident
from incidents.services import acknowledge

from .serializers import AcknowledgeSerializer, IncidentSerializer


class IncidentFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="open")
    acknowledged = django_filters.BooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True)
    camera = StrictModelChoiceFilter(queryset=Camera.objects.none())

    class Meta:
        model = Incident
        fields = ["kind", "camera", "open", "acknowledged"]

    def __init__(self, *args: object, request: object = None, **kwargs: object) -> None:
        super().__init__(*args, request=request, **kwargs)
        # A camera out of scope answers like one that does not exist.
        self.filters["camera"].queryset = Camera.objects.visible_to(getattr(request, "user", None))


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    # For the staff who look after the cameras; Police get 403.
    permission_classes = [BrowsesCameras]
    serializer_class = IncidentSerializer
    filterset_class = IncidentFilter

    def get_queryset(self) -> QuerySet[Incident]:
        return Incident.objects.restrict(self.request.user, "view").select_related("acknowledged_by")

    @extend_schema(request=AcknowledgeSerializer, responses=IncidentSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, pk: str | None = None) -> Response:
        """Acknowledge the incident with a note (what was done, who is on it); audited."""
        # An incident of a camera out of scope, or a role without the permission: as if it did not exist
        # (DRF's get_object_or_404: an id that is not a number is a 404 too, not a 500).
        incident = get_object_or_404(Incident.objects.restrict(request.user, "acknowledge"), pk=pk)
        form = AcknowledgeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            incident = acknowledge(
                incident=incident, user=request.user, note=form.validated_data["note"], request=request
            )
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        return Response(IncidentSerializer(incident).data)
