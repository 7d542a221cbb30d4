"""Hash chains: sealing a camera's day, recording lawful deletions, verifying a day against disk."""

import hashlib
import json
import os
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from birzai_vms import keys
from cameras.models import Camera
from recordings.capture import storage
from recordings.models import Segment

from .models import DailyDigest, DeletionRecord


def genesis(camera_id: int, day: date) -> str:
    return hashlib.sha256(f"birzai-vms/{camera_id}/{day.isoformat()}".encode()).hexdigest()


def chain(prev: str, entries: list[list[str]]) -> str:
    """h_i = SHA-256(h_{i-1} ‖ name ‖ sha256 of the segment), over the entries in order."""
    head = prev
    for name, sha in entries:
        head = hashlib.sha256(f"{head}\n{name}\n{sha}".encode()).hexdigest()
    return head


def _message(kind: str, **fields: object) -> bytes:
    return json.dumps({"kind": kind, **fields}, sort_keys=True, separators=(",", ":"), default=str).encode()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def digest_message(digest: DailyDigest) -> bytes:
    return _message(
        "daily-digest",
        camera=digest.camera_id,
        day=digest.day.isoformat(),
        count=digest.segment_count,
        head=digest.head,
    )


def deletion_message(record: DeletionRecord) -> bytes:
    # sealed_head only when set: the records signed before it existed still verify.
    extra = {"sealed_head": record.sealed_head} if record.sealed_head else {}
    return _message(
        "deletion",
        camera=record.camera_id,
        day=record.day.isoformat(),
        reason=record.reason,
        deleted_at=record.deleted_at.isoformat(),
        prev=record.prev_head,
        head=record.head,
        **extra,
    )


def whole_day_entries(sealed_head: str) -> list[list[str]]:
    """What a whole-day deletion record chains instead of its segments: the seal it stands for."""
    return [["sealed-day", sealed_head]]


@transaction.atomic
def seal_day(*, camera_id: int, day: date) -> DailyDigest:
    """Seal the day's segments as they are indexed now; sealing twice returns the first seal."""
    if existing := DailyDigest.objects.filter(camera_id=camera_id, day=day).first():
        return existing
    start, end = day_bounds(day)
    entries = [
        [path, sha]
        for path, sha in Segment.objects.filter(camera_id=camera_id)
        .starting_in(start, end)
        .order_by("start")
        .values_list("path", "sha256")
    ]
    digest = DailyDigest(
        camera_id=camera_id,
        day=day,
        entries=entries,
        segment_count=len(entries),
        head=chain(genesis(camera_id, day), entries),
        key_id=keys.key_id(),
        sealed_at=timezone.now(),
    )
    digest.signature = keys.sign(digest_message(digest))
    digest.save()
    return digest


def seal_pending(*, now: datetime | None = None) -> int:
    """Seal every finished day of every camera that has footage and no seal yet."""
    now = now or timezone.now()
    last_sealable = (now - settings.INTEGRITY_SEAL_DELAY).date() - timedelta(days=1)
    sealed = 0
    for camera_id in Camera.objects.values_list("pk", flat=True):
        latest = DailyDigest.objects.filter(camera_id=camera_id).order_by("-day").values_list("day", flat=True).first()
        first = Segment.objects.filter(camera_id=camera_id).order_by("start").values_list("start", flat=True).first()
        if first is None:
            continue
        day = max(first.astimezone(UTC).date(), latest + timedelta(days=1) if latest else first.date())
        while day <= last_sealable:
            start, end = day_bounds(day)
            if Segment.objects.filter(camera_id=camera_id).starting_in(start, end).exists():
                seal_day(camera_id=camera_id, day=day)
                sealed += 1
            day += timedelta(days=1)
    return sealed


def record_deletion(*, camera_id: int, entries: list[tuple[str, str, datetime]], reason: str, at: datetime) -> None:
    """Append signed records of deleted segments (path, sha256, start) to each day's deletion chain.

    Called inside the deleting transaction, which holds the camera's row lock: the chain stays linear."""
    by_day: dict[date, list[list[str]]] = defaultdict(list)
    for path, sha, start in entries:
        by_day[start.astimezone(UTC).date()].append([path, sha])
    for day, names in sorted(by_day.items()):
        record_day_deletion(camera_id=camera_id, day=day, names=names, reason=reason, at=at)


def record_day_deletion(
    *, camera_id: int, day: date, names: list[list[str]], reason: str, at: datetime, sealed_head: str = ""
) -> None:
    """Append one signed record of the day's deleted segments ([path, sha256] in start order) to its chain;
    with `sealed_head` (and no names), a record that every segment of the day's seal left is deleted:
    the seal already lists them, so a whole day costs one short record instead of a second list.

    Called inside the deleting transaction, with the same lock as record_deletion."""
    last = DeletionRecord.objects.filter(camera_id=camera_id, day=day).order_by("-id").values_list("head").first()
    prev = last[0] if last else genesis(camera_id, day)
    record = DeletionRecord(
        camera_id=camera_id,
        day=day,
        entries=names,
        sealed_head=sealed_head,
        reason=reason,
        deleted_at=at,
        prev_head=prev,
        head=chain(prev, whole_day_entries(sealed_head) if sealed_head else names),
        key_id=keys.key_id(),
    )
    record.signature = keys.sign(deletion_message(record))
    record.save()


@dataclass
class DayReport:
    """What verifying one camera-day found; every problem names its segment."""

    camera_id: int
    day: date
    sealed: bool
    checked: int = 0
    lawfully_deleted: int = 0
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    inserted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.altered or self.missing or self.inserted or self.problems)


def _lawfully_deleted(camera_id: int, day: date, report: DayReport, digest: DailyDigest | None) -> set[str]:
    names: set[str] = set()
    prev = genesis(camera_id, day)
    for record in DeletionRecord.objects.filter(camera_id=camera_id, day=day).order_by("id"):
        entries = whole_day_entries(record.sealed_head) if record.sealed_head else record.entries
        if record.prev_head != prev or chain(record.prev_head, entries) != record.head:
            report.problems.append(f"deletion record {record.pk} does not continue the deletion chain")
        if not keys.signature_is_valid(deletion_message(record), record.signature):
            report.problems.append(f"deletion record {record.pk} has an invalid signature")
        prev = record.head
        if record.sealed_head:
            if digest is None or digest.head != record.sealed_head:
                report.problems.append(f"deletion record {record.pk} stands for a seal this day does not have")
            else:
                names.update(name for name, _sha in digest.entries)
        names.update(name for name, _sha in record.entries)
    return names


def _files_of_day(camera_id: int, day: date) -> dict[str, Path]:
    folder = storage.camera_dir(camera_id) / f"{day:%Y/%m/%d}"
    found: dict[str, Path] = {}
    if folder.is_dir():
        for dirpath, _dirs, filenames in os.walk(folder):
            for name in filenames:
                path = Path(dirpath) / name
                found[str(path.relative_to(settings.RECORDINGS_ROOT))] = path
    return found


def _is_settled(path: Path, settle_before: float) -> bool:
    """False for a file the live recorder may still be writing (and its indexer not yet have indexed)."""
    try:
        return path.stat().st_mtime <= settle_before
    except FileNotFoundError:
        return False


def verify_day(*, camera_id: int, day: date) -> DayReport:
    """Re-hash the day's files and compare them with the seal (or, for a day not sealed yet, the index)."""
    digest = DailyDigest.objects.filter(camera_id=camera_id, day=day).first()
    report = DayReport(camera_id=camera_id, day=day, sealed=digest is not None)
    start, end = day_bounds(day)
    rows = {
        path: sha
        for path, sha in Segment.objects.filter(camera_id=camera_id)
        .starting_in(start, end)
        .values_list("path", "sha256")
    }
    if digest:
        if chain(genesis(camera_id, day), digest.entries) != digest.head or digest.segment_count != len(digest.entries):
            report.problems.append("the sealed list of segments does not match its chain head")
        if not keys.signature_is_valid(digest_message(digest), digest.signature):
            report.problems.append("the daily digest's signature is invalid")
        expected = {name: sha for name, sha in digest.entries}
    else:
        expected = rows
    deleted = _lawfully_deleted(camera_id, day, report, digest)
    files = _files_of_day(camera_id, day)
    settle_before = time.time() - settings.RECONCILE_SETTLE_SECONDS
    for name, sha in expected.items():
        if name in deleted:
            report.lawfully_deleted += 1
            continue
        report.checked += 1
        path = files.get(name)
        if path is None:
            report.missing.append(name)
        elif storage.sha256_of(path) != sha or (digest and rows.get(name, sha) != sha):
            report.altered.append(name)
        if digest and name not in rows:
            report.problems.append(f"{name}: its index row was removed")
    for name in sorted(set(files) | set(rows)):
        if name in expected or name in deleted:
            continue
        if name in files and name not in rows and not _is_settled(files[name], settle_before):
            continue
        report.inserted.append(name)
    return report
