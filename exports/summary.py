"""The package's printable summary: one template rendered per language, as HTML and as PDF (WeasyPrint)."""

from datetime import datetime
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from birzai_vms import localtime
from recordings.choices import GapCause
from retention.choices import DeletionReason


def _when(value: dict[str, str] | None) -> str:
    """A manifest instant as Vilnius wall-clock time with its offset, and UTC."""
    if not value:
        return "—"
    utc = datetime.fromisoformat(value["utc"])
    local = localtime.local(utc)
    return f"{_clock(local)} {local.tzname()} = {_clock(utc)} UTC"


def _clock(value: datetime) -> str:
    """Date and time to the millisecond when the instant has a fraction of a second."""
    text = f"{value:%Y-%m-%d %H:%M:%S}"
    return f"{text}.{value.microsecond // 1000:03d}" if value.microsecond else text


def _cause(code: str, fallback: str) -> str:
    if code in GapCause.values:
        return str(GapCause(code).label)
    reason = code.removeprefix("deleted_")
    if code.startswith("deleted_") and reason in DeletionReason.values:
        return str(DeletionReason(reason).label)
    return fallback


def render(document: dict[str, Any], custody: dict[str, Any], *, language: str) -> tuple[str, bytes]:
    """The summary of a manifest in `language`: (HTML, PDF)."""
    from weasyprint import HTML  # heavy; only where packages are built

    with translation.override(language):
        cameras = [
            {
                **camera,
                "requested_text": (_when(camera["requested"]["start"]), _when(camera["requested"]["end"])),
                "actual_text": (_when(camera["actual"]["start"]), _when(camera["actual"]["end"])),
                "days": list({d["day"]: d for d in (s["daily_digest"] for s in camera["segments"])}.values()),
                "changed": [s for s in camera["segments"] if not s["sha256_matches_file"]],
                "gaps_text": [
                    {
                        "start": _when(g["start"]),
                        "end": _when(g["end"]),
                        "cause": _cause(g["cause"], g["cause_text"]),
                        "detail": g["detail"],
                    }
                    for g in camera["gaps"]
                ],
            }
            for camera in document["cameras"]
        ]
        html = render_to_string(
            "exports/summary.html",
            {
                "m": document,
                "cameras": cameras,
                "custody": custody["events"],
                "language": language,
                "built": _when(document["export"]["built_at"]),
                "zone": str(localtime.VILNIUS),
            },
        )
    return html, HTML(string=html).write_pdf()
