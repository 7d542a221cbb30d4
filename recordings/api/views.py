"""Views of the recording index API: segments and gaps of one camera in a time range."""

from django.db.models import QuerySet
from rest_framework import viewsets

from recordings.models import Gap, Segment

from .filters import GapFilter, SegmentFilter
from .serializers import GapSerializer, SegmentSerializer


class SegmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SegmentSerializer
    filterset_class = SegmentFilter

    def get_queryset(self) -> QuerySet[Segment]:
        return Segment.objects.visible_to(self.request.user).order_by("start")


class GapViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = GapSerializer
    filterset_class = GapFilter

    def get_queryset(self) -> QuerySet[Gap]:
        return Gap.objects.visible_to(self.request.user).order_by("start")
