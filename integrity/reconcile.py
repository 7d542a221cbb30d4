"""The reconciler: walks disk and index both ways so that nothing is unindexed or silently dropped.

- a segment file without a row is indexed (written while the database was away, or by a killed recorder);
- a file that cannot be indexed (unreadable, or not named like a segment) is moved to the quarantine
  folder with its reason, a row and an alarm;
- a file whose time lies in a range already deleted by retention is the remainder of a deletion cut
  short by a crash (rows are deleted before files), and is deleted now;
- a row whose file is gone is marked missing and raises an alarm; the row stays;
- every other folder or file under the recordings root (a folder named for no camera, or for a camera
  whose row no longer exists) is footage nobody accounts for: its files are moved to the quarantine
  with the reason, reported, and raise an alarm, instead of lying where no one looks.
"""

import contextlib
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_noop

from alarms.choices import AlarmKind, Severity
from alarms.services import raise_alarm
from cameras.models import Camera
from recordings.capture import storage
from recordings.capture.catch_up import index_file
from recordings.choices import SegmentStatus
from recordings.models import Segment

from .models import QuarantinedFile

log = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    """What one reconciliation did, by file."""

    indexed: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    finished_deletions: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)  # files of no known camera (also in `quarantined`)

    def summary(self) -> str:
        return (
            f"{len(self.indexed)} indexed, {len(self.quarantined)} quarantined, {len(self.missing)} marked missing, "
            f"{len(self.finished_deletions)} deletions finished, {len(self.unknown)} of an unknown camera"
        )


def _quarantine(camera_id: int | None, path: Path, reason: str, report: ReconcileReport) -> None:
    rel = str(path.relative_to(settings.RECORDINGS_ROOT))
    dest = settings.QUARANTINE_ROOT / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        size = path.stat().st_size
        shutil.move(path, dest)
    except FileNotFoundError:
        return  # moved meanwhile (another node reconciling the same shared storage) or deleted
    dest.with_name(dest.name + ".reason.txt").write_text(reason + "\n")
    QuarantinedFile.objects.create(
        camera_id=camera_id, original_path=rel, quarantined_path=str(dest), reason=reason[:255], bytes=size
    )
    report.quarantined.append(rel)
    log.warning("quarantined %s: %s", rel, reason)
    if camera_id is None:
        return  # one alarm for the whole unknown folder, raised by its caller
    raise_alarm(
        kind=AlarmKind.FILE_QUARANTINED,
        camera_id=camera_id,
        severity=Severity.WARNING,
        params={"path": rel, "reason": reason},
    )


# Who may say that footage was deleted on purpose (retention, which sits above integrity, registers
# its deleted ranges here in its AppConfig.ready): such a file left on disk is a deletion to finish.
_deletion_checks: list[Callable[[int, datetime], bool]] = []


def register_deletion_check(check: Callable[[int, datetime], bool]) -> None:
    """check(camera_id, start) is True when the camera's footage starting then was deleted on purpose."""
    if check not in _deletion_checks:
        _deletion_checks.append(check)


def _is_deleted(camera_id: int, start: datetime) -> bool:
    return any(check(camera_id, start) for check in _deletion_checks)


def _day_folders(camera_id: int) -> dict[str, Path]:
    """YYYY/MM/DD folder → path, for the camera's day folders on disk."""
    root = storage.camera_dir(camera_id)
    days: dict[str, Path] = {}
    if root.is_dir():
        for path in root.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/[0-9][0-9]"):
            days["/".join(path.parts[-3:])] = path
    return days


def _row_days(camera_id: int) -> set[str]:
    first, last = (
        Segment.objects.filter(camera_id=camera_id).order_by("start").values_list("start", flat=True).first(),
        Segment.objects.filter(camera_id=camera_id).order_by("-start").values_list("start", flat=True).first(),
    )
    days: set[str] = set()
    if first is None:
        return days
    day, last_day = first.astimezone(UTC).date(), last.astimezone(UTC).date()
    while day <= last_day:
        days.add(f"{day:%Y/%m/%d}")
        day += timedelta(days=1)
    return days


def reconcile_camera(camera_id: int, report: ReconcileReport) -> None:
    settle_before = time.time() - settings.RECONCILE_SETTLE_SECONDS
    folders = _day_folders(camera_id)
    missing_before = len(report.missing)
    for key in sorted(set(folders) | _row_days(camera_id)):
        day_start = datetime.strptime(key, "%Y/%m/%d").replace(tzinfo=UTC)
        day_rows = list(
            Segment.objects.filter(camera_id=camera_id)
            .starting_in(day_start, day_start + timedelta(days=1))
            .values_list("path", "status", "node")
        )
        rows = {path: status for path, status, node in day_rows if node == settings.NODE_NAME}
        # With one storage for every node (docs/nodes.md, choice a) another node's indexed file is here too.
        indexed = {path for path, _status, _node in day_rows}
        on_disk: set[str] = set()
        for dirpath, _dirs, filenames in os.walk(folders[key]) if key in folders else []:
            for name in sorted(filenames):
                path = Path(dirpath) / name
                rel = str(path.relative_to(settings.RECORDINGS_ROOT))
                on_disk.add(rel)
                if rel in indexed:
                    continue
                try:
                    if path.stat().st_mtime > settle_before:
                        continue  # the live recorder's file, or one its indexer has not written yet
                except FileNotFoundError:
                    continue
                _reconcile_file(camera_id, path, rel, report)
        gone = [rel for rel, status in rows.items() if status == SegmentStatus.OK and rel not in on_disk]
        # A file can vanish between the walk and here only by deletion; check once more before flagging.
        gone = [rel for rel in gone if not storage.absolute(rel).exists()]
        if gone:
            Segment.objects.filter(camera_id=camera_id, node=settings.NODE_NAME, path__in=gone).update(
                status=SegmentStatus.MISSING
            )
            report.missing.extend(gone)
    newly_missing = report.missing[missing_before:]
    if newly_missing:
        total = Segment.objects.filter(camera_id=camera_id, status=SegmentStatus.MISSING).count()
        names = ", ".join(Path(p).name for p in newly_missing[:5]) + (" …" if len(newly_missing) > 5 else "")
        raise_alarm(
            kind=AlarmKind.SEGMENT_MISSING,
            camera_id=camera_id,
            severity=Severity.CRITICAL,
            params={"total": total, "names": names},
        )


def _reconcile_file(camera_id: int, path: Path, rel: str, report: ReconcileReport) -> None:
    start = storage.start_from_name(path.name)
    if start is None:
        _quarantine(camera_id, path, gettext_noop("not a segment file name"), report)
        return
    if _is_deleted(camera_id, start):
        path.unlink(missing_ok=True)
        report.finished_deletions.append(rel)
        return
    try:
        index_file(camera_id=camera_id, path=path)
    except storage.UnreadableSegment as exc:
        _quarantine(camera_id, path, f"unreadable: {exc}", report)
        return
    report.indexed.append(rel)


def _unknown_entries() -> list[tuple[Path, str]]:
    """Everything directly under the recordings root that is no camera's folder, with the reason."""
    root = settings.RECORDINGS_ROOT
    if not root.is_dir():
        return []
    entries = sorted(root.iterdir())
    # Read after listing: a camera added meanwhile has its row before its recorder makes its folder.
    known = {str(pk) for pk in Camera.objects.values_list("pk", flat=True)}
    unknown = []
    for entry in entries:
        if entry.resolve() == settings.QUARANTINE_ROOT.resolve() or entry.name == "lost+found":
            continue  # the quarantine itself, and the file system's own folder when the root is a mount
        if not entry.is_dir():
            unknown.append((entry, "a file outside every camera folder"))
        elif not (entry.name.isascii() and entry.name.isdigit()):
            unknown.append((entry, f"folder {entry.name!r} is named for no camera"))
        elif entry.name not in known:
            unknown.append((entry, f"camera {entry.name} does not exist (its row was deleted)"))
    return unknown


def reconcile_unknown(report: ReconcileReport) -> None:
    """Quarantine the settled files of every folder that belongs to no camera, and raise one alarm."""
    settle_before = time.time() - settings.RECONCILE_SETTLE_SECONDS
    found: dict[str, int] = {}
    for entry, reason in _unknown_entries():
        files = [entry] if not entry.is_dir() else sorted(p for p in entry.rglob("*") if p.is_file())
        for path in files:
            try:
                if path.stat().st_mtime > settle_before:
                    continue
            except FileNotFoundError:
                continue
            rel = str(path.relative_to(settings.RECORDINGS_ROOT))
            _quarantine(None, path, f"unknown camera: {reason}", report)
            report.unknown.append(rel)
            found[entry.name] = found.get(entry.name, 0) + 1
        if entry.is_dir():
            # Folders left empty go too; the reconciler would otherwise list them forever.
            for folder in sorted((p for p in entry.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            with contextlib.suppress(OSError):
                entry.rmdir()
    if found:
        where = ", ".join(f"{name} ({count})" for name, count in sorted(found.items()))
        raise_alarm(
            kind=AlarmKind.UNKNOWN_FILES,
            camera_id=None,
            severity=Severity.CRITICAL,
            params={"count": sum(found.values()), "folders": where},
        )


def reconcile(*, camera_ids: list[int] | None = None) -> ReconcileReport:
    """Reconcile this node's recordings folder with the index: every camera's folder (decommissioned
    ones too) and, on a full run, every folder that belongs to no camera."""
    report = ReconcileReport()
    cameras = Camera.objects.all()
    if camera_ids:
        cameras = cameras.filter(pk__in=camera_ids)
    for camera_id in cameras.order_by("pk").values_list("pk", flat=True):
        reconcile_camera(camera_id, report)
    if not camera_ids:
        reconcile_unknown(report)
    if report.indexed or report.quarantined or report.missing or report.finished_deletions:
        log.info("reconciled: %s", report.summary())
    return report
