"""Views of the camera API."""

import django_filters
from django.db.models import QuerySet
from rest_framework import viewsets

from accounts.permissions import ModelViewPermission
from birzai_vms.fields import StrictModelChoiceFilter
from cameras.models import Camera
from eldership.models import Eldership

from .serializers import CameraSerializer


class CameraFilter(django_filters.FilterSet):
    eldership = StrictModelChoiceFilter(queryset=Eldership.objects.all())

    class Meta:
        model = Camera
        fields = ["eldership", "enabled"]


class CameraViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CameraSerializer
    permission_classes = [ModelViewPermission]
    filterset_class = CameraFilter

    def get_queryset(self) -> QuerySet[Camera]:
        return Camera.objects.restrict(self.request.user, "view").with_status()
