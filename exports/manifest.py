"""What an export's manifest says about each camera: ranges in UTC and Vilnius time, gaps with their causes,
the source segments with their SHA-256 and the signed daily digest each belongs to."""

import hashlib
import tomllib
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.db.models import Q

from birzai_vms import keys, localtime
from cameras.models import Camera
from integrity.models import DailyDigest
from recordings.choices import GapCause, SegmentStatus
from recordings.models import Gap, Segment
from retention.choices import DeletionReason
from retention.models import DeletedRange

FORMAT = "birzai-vms-evidence-package/1"


@cache
def software_version() -> str:
    with (settings.BASE_DIR / "pyproject.toml").open("rb") as f:
        return f"Biržai VMS {tomllib.load(f)['project']['version']}"


def public_key_fingerprint() -> str:
    """SHA-256 of the public key's DER (SubjectPublicKeyInfo) bytes, as `openssl pkey -pubin -outform DER |
    sha256sum` prints it."""
    from cryptography.hazmat.primitives import serialization

    der = keys.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def instant(value: datetime | None) -> dict[str, str] | None:
    """An instant in UTC and in Vilnius local time (with its offset, EET or EEST)."""
    if value is None:
        return None
    return {"utc": value.astimezone(UTC).isoformat(), "local": localtime.local(value).isoformat()}


def time_range(start: datetime | None, end: datetime | None) -> dict[str, Any]:
    return {"start": instant(start), "end": instant(end)}


def camera_block(camera: Camera) -> dict[str, Any]:
    eldership = camera.eldership
    return {
        "id": camera.pk,
        "name": camera.name,
        "eldership": {"id": eldership.pk, "name": eldership.name, "code": eldership.code},
        "place": camera.place,
        "latitude": str(camera.latitude) if camera.latitude is not None else None,
        "longitude": str(camera.longitude) if camera.longitude is not None else None,
    }


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def gaps_in(camera: Camera, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Gaps (not recorded, with the cause), deleted ranges and missing segment files inside the range."""
    found: list[dict[str, Any]] = [
        {
            **time_range(max(g.start, start), min(g.end, end)),
            "cause": g.cause,
            "cause_text": _label(GapCause, g.cause),
            "detail": g.detail,
        }
        for g in Gap.objects.of_camera(camera).overlapping(start, end).order_by("start")
    ]
    found += [
        {
            **time_range(max(r.start, start), min(r.end, end)),
            "cause": f"deleted_{r.reason}",
            "cause_text": _label(DeletionReason, r.reason),
            "detail": "",
        }
        for r in DeletedRange.objects.of_camera(camera).overlapping(start, end).order_by("start")
    ]
    found += [
        {
            **time_range(max(s.start, start), min(s.end, end)),
            "cause": "segment_missing",
            "cause_text": _label(SegmentStatus, SegmentStatus.MISSING),
            "detail": s.path,
        }
        for s in Segment.objects.of_camera(camera).overlapping(start, end).filter(status=SegmentStatus.MISSING)
    ]
    return sorted(found, key=lambda g: g["start"]["utc"])


def segments_block(segments: list[Segment], hashes_on_disk: dict[int, str]) -> list[dict[str, Any]]:
    """Each source segment, its SHA-256 as indexed and as read now, and its day's signed digest."""
    days = {(s.camera_id, s.start.astimezone(UTC).date()) for s in segments}
    query = Q(pk__in=[])
    for camera_id, day in days:
        query |= Q(camera_id=camera_id, day=day)
    digests = {(d.camera_id, d.day): d for d in DailyDigest.objects.filter(query)}
    rows = []
    for s in segments:
        day = s.start.astimezone(UTC).date()
        digest = digests.get((s.camera_id, day))
        if digest is None:
            sealed: dict[str, Any] = {"day": day.isoformat(), "sealed": False}
        else:
            position = next((i for i, e in enumerate(digest.entries) if e == [s.path, s.sha256]), None)
            sealed = {
                "day": day.isoformat(),
                "sealed": True,
                "sealed_at": digest.sealed_at.isoformat(),
                "segment_count": digest.segment_count,
                "chain_head": digest.head,
                "key_id": digest.key_id,
                "signature": digest.signature,
                "listed": position is not None,
                "position": position,
            }
        on_disk = hashes_on_disk.get(s.pk)
        rows.append(
            {
                "file": s.path,
                **time_range(s.start, s.end),
                "bytes": s.bytes,
                "codec": s.codec,
                "sha256": s.sha256,
                "sha256_matches_file": on_disk == s.sha256,
                "daily_digest": sealed,
            }
        )
    return rows
