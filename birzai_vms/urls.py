"""Top-level URLs: admin, REST API with its OpenAPI schema, health."""

from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from cameras.api.views import CameraViewSet
from eldership.api.views import EldershipViewSet
from recordings.api.views import GapViewSet, SegmentViewSet

router = DefaultRouter()
router.register("elderships", EldershipViewSet, basename="eldership")
router.register("cameras", CameraViewSet, basename="camera")
router.register("segments", SegmentViewSet, basename="segment")
router.register("gaps", GapViewSet, basename="gap")


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", healthz, name="healthz"),
]
