"""Views of the camera API."""

from django.db.models import QuerySet
from rest_framework import viewsets

from cameras.models import Camera

from .serializers import CameraSerializer


class CameraViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CameraSerializer
    filterset_fields = ["eldership", "enabled"]

    def get_queryset(self) -> QuerySet[Camera]:
        return Camera.objects.visible_to(self.request.user).with_status()
