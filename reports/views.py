"""The uptime report (page, CSV, PDF) for staff, and the public camera register (page, CSV). Thin views."""

import csv
import functools
import io
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.decorators import staff_page
from audit.views import csv_cell
from birzai_vms import localtime
from cameras.models import Camera
from eldership.models import Eldership

from . import filters as f
from . import register, tables
from .services import UptimeReport, build_report


def _report(request: HttpRequest) -> tuple[UptimeReport | None, dict[str, Any], int]:
    """The report the query asks for, or the page context with the problem and its status."""
    cameras = Camera.objects.restrict(request.user, "view")
    now = timezone.now()
    context: dict[str, Any] = {
        "elderships": Eldership.objects.filter(cameras__in=cameras).distinct().order_by("name"),
        "cameras": cameras.select_related("eldership").order_by("eldership__name", "name"),
        "today": localtime.local(now).date(),
        "periods": [(f.DAY, _("Day")), (f.MONTH, _("Month")), (f.RANGE, _("Range of dates"))],
    }
    try:
        filters = f.parse_filters(request.GET, cameras=cameras, today=context["today"])
    except f.FilterError as exc:
        context |= {"error": str(exc), "values": request.GET}
        return None, context, exc.status
    report = build_report(cameras=cameras, filters=filters, now=now, total_label=_("All cameras"))
    context |= {"report": report, "values": filters.query(), "query": filters.query()}
    return report, context, 200


@staff_page
def report_page(request: HttpRequest) -> HttpResponse:
    report, context, status = _report(request)
    if report is not None:
        context["table"] = tables.report_table(report)
        context["chart"] = tables.chart_data(report)
    return render(request, "reports/report.html", context, status=status)


@staff_page
def report_csv(request: HttpRequest) -> HttpResponse:
    report, context, status = _report(request)
    if report is None:
        return HttpResponse(context["error"], status=status, content_type="text/plain; charset=utf-8")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in tables.csv_rows(report):
        writer.writerow([csv_cell(cell) if isinstance(cell, str) else cell for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{tables.file_name(report)}.csv"'
    return response


@staff_page
def report_pdf(request: HttpRequest) -> HttpResponse:
    report, context, status = _report(request)
    if report is None:
        return HttpResponse(context["error"], status=status, content_type="text/plain; charset=utf-8")
    response = HttpResponse(tables.render_pdf(report, request), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{tables.file_name(report)}.pdf"'
    return response


def in_asked_language(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """?language=lt|en|lv picks the language of this answer (a file to download); otherwise the visitor's own."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        asked = request.GET.get("language")
        if asked not in dict(settings.LANGUAGES):
            return view(request, *args, **kwargs)
        with translation.override(asked):
            request.LANGUAGE_CODE = asked
            return view(request, *args, **kwargs)

    return require_GET(wrapped)


@require_GET
def register_page(request: HttpRequest) -> HttpResponse:
    """Public: what each camera watches, why, on what legal basis, for how long (no login). A published
    link's ?language= becomes the visitor's language choice, so that the page's language menu still works."""
    asked = request.GET.get("language")
    if asked in dict(settings.LANGUAGES):
        response = redirect(request.path)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, asked, samesite="Lax")
        return response
    context = register.context() | {"language": request.LANGUAGE_CODE}
    return render(request, "reports/register.html", context)


@in_asked_language
def register_csv(request: HttpRequest) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in register.csv_rows():
        writer.writerow([csv_cell(cell) if isinstance(cell, str) else cell for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    language = request.LANGUAGE_CODE
    response["Content-Disposition"] = f'attachment; filename="camera-register-{language}.csv"'
    return response
