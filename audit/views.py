"""The audit page for reviewers and administrators: filter, page through, export as CSV."""

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required, permission_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from birzai_vms.localtime import VILNIUS

from .choices import AuditAction
from .forms import AuditFilterForm
from .models import AuditEntry
from .querysets import AuditEntryQuerySet
from .services import record

CSV_COLUMNS = ["seq", "time_utc", "time_vilnius", "action", "user", "camera", "object", "ip_address", "details", "hash"]


def _filtered(request: HttpRequest) -> tuple[AuditFilterForm, AuditEntryQuerySet]:
    form = AuditFilterForm(request.GET or None, user=request.user)
    entries = AuditEntry.objects.all()
    if form.is_valid():
        entries = entries.filtered(**{k: v for k, v in form.cleaned_data.items() if v not in (None, "")})
    elif form.is_bound:
        entries = entries.none()
    return form, entries.order_by("-seq")


@login_required
@permission_required("audit.view_auditentry", raise_exception=True)
def entry_list(request: HttpRequest) -> HttpResponse:
    form, entries = _filtered(request)
    page = Paginator(entries, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_export": request.user.has_perm("audit.export_auditentry"),
            "zone": VILNIUS,  # the page shows Vilnius time whatever zone is active
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@permission_required("audit.export_auditentry", raise_exception=True)
def export_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    form, entries = _filtered(request)
    if form.is_bound and not form.is_valid():
        # An export of nothing would look like an empty log: say what is wrong instead.
        problems = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items())
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    record(
        action=AuditAction.AUDIT_EXPORT,
        request=request,
        details={k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v not in (None, "")},
    )

    def rows() -> Iterator[str]:
        buffer = _Echo()
        writer = csv.writer(buffer)
        yield writer.writerow(CSV_COLUMNS)
        for e in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    e.seq,
                    e.at.isoformat(),
                    e.at.astimezone(VILNIUS).isoformat(),
                    e.action,
                    *map(
                        csv_cell,
                        [e.username, e.camera_name, e.target, e.ip_address or "", _json(e.details)],
                    ),
                    e.hash,
                ]
            )

    stamp = timezone.now().astimezone(VILNIUS).strftime("%Y%m%d-%H%M%S")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response


# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection"): a failed
# login's user name "=HYPERLINK(...)" would otherwise run on the reviewer's machine.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: str) -> str:
    """The text as a spreadsheet shows it, never as a formula: a leading quote before a formula start."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


class _Echo:
    """A file-like object whose write returns the line, for streaming csv."""

    def write(self, value: str) -> str:
        return value
