"""Views of the recording index API: segments and gaps of one camera in a time range."""

from django.db.models import QuerySet
from rest_framework import viewsets

from accounts.permissions import ModelViewPermission
from recordings.models import Gap, Segment

from .filters import GapFilter, SegmentFilter
from .serializers import GapSerializer, SegmentSerializer


class TimeRangeViewSet(viewsets.ReadOnlyModelViewSet):
    """Lists need a camera and take a time range; one row is fetched by its id alone."""

    permission_classes = [ModelViewPermission]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action == "retrieve":
            return queryset
        return super().filter_queryset(queryset)


class SegmentViewSet(TimeRangeViewSet):
    serializer_class = SegmentSerializer
    filterset_class = SegmentFilter

    def get_queryset(self) -> QuerySet[Segment]:
        return Segment.objects.restrict(self.request.user, "view").order_by("start")


class GapViewSet(TimeRangeViewSet):
    serializer_class = GapSerializer
    filterset_class = GapFilter

    def get_queryset(self) -> QuerySet[Gap]:
        return Gap.objects.restrict(self.request.user, "view").order_by("start")
