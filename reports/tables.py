"""The uptime report shaped for people: the page's table and chart data, the CSV rows, the PDF."""

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from birzai_vms import localtime
from recordings.choices import GapCause

from .services import Figures, Line, UptimeReport, as_percent, hours


def minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


def _cells(figures: Figures) -> dict[str, str]:
    return {
        "wall": hours(figures.wall_s),
        "recorded": hours(figures.recorded_s),
        "uptime": as_percent(figures.uptime),
        "gaps": str(figures.gap_count),
        "gap_hours": hours(figures.gap_seconds),
        "days_held": "" if figures.days_held is None else f"{figures.days_held:.1f}",
        "incidents": str(figures.incidents),
        "acknowledged": str(figures.acknowledged),
        "ack_mean": minutes(figures.ack_mean_s),
        "ack_max": minutes(figures.ack_max_s),
    }


def report_table(report: UptimeReport) -> dict[str, Any]:
    """Rows for the page and the PDF: cameras grouped under their eldership's line, then the total."""

    def row(line: Line, level: str) -> dict[str, Any]:
        causes = [line.figures.gaps.get(cause, [0, 0.0]) for cause, _label in report.causes]
        return {
            "level": level,
            "label": line.label,
            "eldership": line.eldership,
            "cells": _cells(line.figures),
            "uptime": line.figures.uptime,
            "causes": [(int(count), hours(seconds)) for count, seconds in causes],
        }

    groups = []
    for eldership in report.elderships:
        members = [row(line, "camera") for line in report.cameras if line.eldership == eldership.label]
        groups.append({"summary": row(eldership, "eldership"), "cameras": members})
    return {"groups": groups, "total": row(report.total, "total")}


def chart_data(report: UptimeReport) -> dict[str, Any]:
    """What static/reports/report.js draws: uptime per camera, and per eldership day by day."""

    def percent(figures: Figures) -> float | None:
        return None if figures.uptime is None else round(figures.uptime * 100, 3)

    return {
        "cameras": [line.label for line in report.cameras],
        "camera_uptime": [percent(line.figures) for line in report.cameras],
        "days": [day.isoformat() for day in report.days],
        "elderships": [
            {"label": line.label, "values": [percent(line.daily[day]) for day in report.days]}
            for line in report.elderships
        ],
        "strings": {
            "uptime": _("Recorded time as a percentage of wall time"),
            "by_camera": _("Uptime by camera"),
            "by_day": _("Uptime by day and eldership"),
        },
    }


def csv_header() -> list[str]:
    causes = [
        header
        for cause in GapCause
        for header in (
            _("Gaps: %(cause)s") % {"cause": cause.label},
            _("Gap hours: %(cause)s") % {"cause": cause.label},
        )
    ]
    return [
        _("Level"),
        _("Eldership"),
        _("Camera"),
        _("First day"),
        _("Last day"),
        _("Wall time (h)"),
        _("Recorded (h)"),
        _("Uptime (%)"),
        _("Gaps"),
        _("Gap hours"),
        *causes,
        _("Days of footage held"),
        _("Incidents"),
        _("Acknowledged"),
        _("Mean time to acknowledge (min)"),
        _("Longest time to acknowledge (min)"),
    ]


def csv_rows(report: UptimeReport) -> list[list[str]]:
    """One row per camera, per eldership and the total; every gap cause has its two columns."""
    period = report.filters.period
    levels = {"camera": _("camera"), "eldership": _("eldership"), "total": _("total")}

    def row(line: Line, level: str) -> list[str]:
        cells = _cells(line.figures)
        causes = []
        for cause in GapCause:
            count, seconds = line.figures.gaps.get(cause.value, [0, 0.0])
            causes += [str(int(count)), hours(seconds)]
        camera = line.label if level == "camera" else ""
        eldership = line.eldership if level != "total" else ""
        return [
            levels[level],
            eldership,
            camera,
            period.first.isoformat(),
            period.last.isoformat(),
            cells["wall"],
            cells["recorded"],
            cells["uptime"],
            cells["gaps"],
            cells["gap_hours"],
            *causes,
            cells["days_held"],
            cells["incidents"],
            cells["acknowledged"],
            cells["ack_mean"],
            cells["ack_max"],
        ]

    rows = [csv_header()]
    rows += [row(line, "camera") for line in report.cameras]
    rows += [row(line, "eldership") for line in report.elderships]
    rows.append(row(report.total, "total"))
    return rows


def file_name(report: UptimeReport) -> str:
    period = report.filters.period
    name = f"uptime-{period.first:%Y%m%d}-{period.last:%Y%m%d}"
    if report.filters.eldership:
        name += f"-{report.filters.eldership.code}"
    if report.filters.camera:
        name += f"-camera{report.filters.camera.pk}"
    return name


def render_pdf(report: UptimeReport, request: HttpRequest | None = None) -> bytes:
    """The report as an A4 PDF (WeasyPrint from an HTML template; DejaVu fonts carry ą, č, ē, ķ, ū ...)."""
    from weasyprint import HTML  # imported here: WeasyPrint loads Pango, which only this view needs

    context = {
        "report": report,
        "table": report_table(report),
        "generated": localtime.local(report.generated_at),
    }
    html = render_to_string("reports/report_pdf.html", context, request=request)
    return HTML(string=html).write_pdf()
