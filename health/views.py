"""/healthz (alive), /readyz (dependencies) and /metrics (Prometheus); no login, no names in the answers."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from . import metrics
from .checks import readiness


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    # Alive: the process answers. No dependency is touched, so a database outage restarts nothing.
    return JsonResponse({"ok": True})


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    ready, checks = readiness()
    not_ready = [name for name, check in checks.items() if check["critical"] and not check["ok"]]
    return JsonResponse({"ready": ready, "not_ready": not_ready, "checks": checks}, status=200 if ready else 503)


@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics.allowed(
        remote_addr=request.META.get("REMOTE_ADDR", ""), authorization=request.headers.get("Authorization", "")
    ):
        # 404, as for a route that does not exist: nothing to learn from probing it.
        return HttpResponse(status=404)
    return HttpResponse(metrics.render(), content_type=CONTENT_TYPE_LATEST)
