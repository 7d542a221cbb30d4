"""Top-level URLs: admin, REST API with its OpenAPI schema, health (health/urls.py), reports."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import TokenView
from alarms.api.views import AlarmViewSet
from cameras.api.views import CameraViewSet
from disclosures import views as disclosure_views
from disclosures.api.views import DisclosureRequestViewSet
from eldership.api.views import EldershipViewSet
from recordings.api.views import GapViewSet, SegmentViewSet
from retention.api.views import DeletedRangeViewSet, HoldViewSet

router = DefaultRouter()
router.register("elderships", EldershipViewSet, basename="eldership")
router.register("cameras", CameraViewSet, basename="camera")
router.register("segments", SegmentViewSet, basename="segment")
router.register("gaps", GapViewSet, basename="gap")
router.register("holds", HoldViewSet, basename="hold")
router.register("deleted-ranges", DeletedRangeViewSet, basename="deletedrange")
router.register("alarms", AlarmViewSet, basename="alarm")
router.register("requests", DisclosureRequestViewSet, basename="disclosurerequest")


urlpatterns = [
    # The dashboard for staff, their requests for police.
    path("", disclosure_views.home),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/", include("retention.api.urls")),
    path("api/token/", TokenView.as_view(), name="api-token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("", include("health.urls")),
    path("accounts/", include("accounts.urls")),
    path("audit/", include("audit.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("playback/", include("playback.urls")),
    path("requests/", include("disclosures.urls")),
    path("evidence/", include("exports.urls")),
    path("reports/", include("reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]
