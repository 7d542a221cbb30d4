"""Views of the eldership API."""

from rest_framework import viewsets

from eldership.models import Eldership

from .serializers import EldershipSerializer


class EldershipViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Eldership.objects.all()
    serializer_class = EldershipSerializer
