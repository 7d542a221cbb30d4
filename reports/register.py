"""The public camera register (GDPR Art. 30 records, and what the municipality publishes): every camera in
service, and decommissioned ones while their footage may still be held.

A decommissioned camera is not listed as active: it is listed apart, with the day it was decommissioned and
the last day its footage can exist (decommissioning + its retention), because the processing of what it
recorded goes on until then; after that day it is not listed at all.
"""

from datetime import date, timedelta
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from birzai_vms import localtime
from cameras.choices import STANDARD_TEXTS
from cameras.models import Camera


@cache
def _standard_msgids() -> dict[str, str]:
    """Each standard purpose or legal basis, in every language, -> its msgid (a camera saved from a
    Lithuanian admin page holds the Lithuanian wording of the default)."""
    found = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            found |= {_(msgid): msgid for msgid in STANDARD_TEXTS}
    return found


def in_reader_language(text: str) -> str:
    """A standard text in the active language; a camera's own wording as entered."""
    msgid = _standard_msgids().get(text)
    return _(msgid) if msgid else text


def last_day_held(camera: Camera) -> date:
    assert camera.decommissioned_at is not None
    return localtime.local(camera.decommissioned_at + timedelta(days=camera.retention_days)).date()


def listed(today: date | None = None) -> tuple[list[Camera], list[Camera]]:
    """(cameras in service, decommissioned cameras whose footage may still be held)."""
    today = today or localtime.local(timezone.now()).date()
    cameras = list(Camera.objects.select_related("eldership").order_by("eldership__name", "name"))
    active = [c for c in cameras if c.decommissioned_at is None]
    retired = [c for c in cameras if c.decommissioned_at is not None and last_day_held(c) >= today]
    return active, retired


def _entry(camera: Camera) -> dict[str, Any]:
    return {
        "id": camera.pk,
        "eldership": camera.eldership.name,
        "name": camera.name,
        "place": camera.place,
        "latitude": "" if camera.latitude is None else f"{camera.latitude:.6f}",
        "longitude": "" if camera.longitude is None else f"{camera.longitude:.6f}",
        "purpose": in_reader_language(camera.purpose),
        "legal_basis": in_reader_language(camera.legal_basis),
        "retention_days": camera.retention_days,
        "decommissioned": localtime.local(camera.decommissioned_at).date() if camera.decommissioned_at else None,
        "held_until": last_day_held(camera) if camera.decommissioned_at else None,
    }


def context() -> dict[str, Any]:
    active, retired = listed()
    return {
        "active": [_entry(c) for c in active],
        "retired": [_entry(c) for c in retired],
        "updated": localtime.local(timezone.now()).date(),
    }


def csv_rows() -> list[list[str]]:
    active, retired = listed()
    rows = [
        [
            _("No."),
            _("Eldership"),
            _("Camera"),
            _("Place"),
            _("Latitude"),
            _("Longitude"),
            _("Purpose"),
            _("Legal basis"),
            _("Retention (days)"),
            _("Status"),
            _("Decommissioned"),
            _("Footage held until"),
        ]
    ]
    for camera, status in [(c, _("in service")) for c in active] + [(c, _("decommissioned")) for c in retired]:
        e = _entry(camera)
        rows.append(
            [
                str(e["id"]),
                e["eldership"],
                e["name"],
                e["place"],
                e["latitude"],
                e["longitude"],
                e["purpose"],
                e["legal_basis"],
                str(e["retention_days"]),
                status,
                e["decommissioned"].isoformat() if e["decommissioned"] else "",
                e["held_until"].isoformat() if e["held_until"] else "",
            ]
        )
    return rows
