"""Views of the camera API."""

from django.db.models import QuerySet
from rest_framework import viewsets

from accounts.permissions import ModelViewPermission
from cameras.models import Camera

from .serializers import CameraSerializer


class CameraViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CameraSerializer
    permission_classes = [ModelViewPermission]
    filterset_fields = ["eldership", "enabled"]

    def get_queryset(self) -> QuerySet[Camera]:
        return Camera.objects.visible_to(self.request.user).with_status()
