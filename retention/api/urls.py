"""URLs of the retention API that are not viewsets."""

from django.urls import path

from .views import StorageView, TimelineView

urlpatterns = [
    path("timeline/", TimelineView.as_view(), name="timeline"),
    path("storage/", StorageView.as_view(), name="storage"),
]
