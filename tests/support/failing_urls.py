"""The project's URLs plus views that fail on purpose, for the error page tests."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.urls import path

from birzai_vms.urls import urlpatterns as project_urlpatterns

SECRET_DETAIL = "detail-that-must-not-leak-7f3a"


def refuse(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied(SECRET_DETAIL)


def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation(SECRET_DETAIL)


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError(SECRET_DETAIL)


urlpatterns = [
    *project_urlpatterns,
    path("fail/403", refuse),
    path("fail/400", suspicious),
    path("fail/500", crash),
]
