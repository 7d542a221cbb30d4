"""Views of the alarm API: open and past alarms, newest first."""

import django_filters
from django.db.models import QuerySet
from rest_framework import viewsets

from accounts.permissions import BrowsesCameras
from alarms.models import Alarm
from birzai_vms.fields import StrictModelChoiceFilter
from cameras.models import Camera

from .serializers import AlarmSerializer


class AlarmFilter(django_filters.FilterSet):
    open = django_filters.BooleanFilter(field_name="ended_at", lookup_expr="isnull", label="open")
    camera = StrictModelChoiceFilter(queryset=Camera.objects.none())

    class Meta:
        model = Alarm
        fields = ["kind", "camera", "severity", "open"]

    def __init__(self, *args: object, request: object = None, **kwargs: object) -> None:
        super().__init__(*args, request=request, **kwargs)
        # A camera out of scope answers exactly like one that does not exist ("not a valid choice"),
        # not with an empty list that would tell it exists.
        self.filters["camera"].queryset = Camera.objects.visible_to(getattr(request, "user", None))


class AlarmViewSet(viewsets.ReadOnlyModelViewSet):
    # Alarms are for the staff who look after the cameras; Police get 403.
    permission_classes = [BrowsesCameras]
    serializer_class = AlarmSerializer
    filterset_class = AlarmFilter

    def get_queryset(self) -> QuerySet[Alarm]:
        return Alarm.objects.restrict(self.request.user, "view").select_related("camera")
