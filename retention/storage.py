"""Storage pressure: free space watermark, oldest-unheld-first deletion, projections and their alarms."""

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q, Sum
from django.utils import timezone

from alarms.choices import AlarmKind, Severity
from alarms.models import Alarm
from alarms.services import clear_alarm, raise_alarm
from cameras.models import Camera, CameraStatus
from recordings.models import Segment

from . import totals
from .choices import DeletionReason
from .models import DeletedRange
from .services import DeletedBatch, _unheld, delete_batch, held_intervals, report_deletion

log = logging.getLogger(__name__)
DAY = timedelta(days=1)


@dataclass(frozen=True)
class Disk:
    """Free and total bytes of the filesystem holding this node's RECORDINGS_ROOT, and its watermark (each
    capture node measures its own: the sweep runs on every node, recordings/capture/chores.py)."""

    free: int
    total: int

    @property
    def watermark(self) -> int:
        return max(settings.STORAGE_MIN_FREE_BYTES, int(self.total * settings.STORAGE_MIN_FREE_PERCENT / 100))

    @property
    def under_pressure(self) -> bool:
        return self.free < self.watermark

    @property
    def target(self) -> int:
        # Free a little more than the watermark, so that the next segment does not trigger it again.
        return int(self.watermark * 1.2) + 1


def disk() -> Disk:
    st = os.statvfs(settings.RECORDINGS_ROOT)
    return Disk(free=st.f_bavail * st.f_frsize, total=st.f_blocks * st.f_frsize)


def _oldest_unheld(camera_id: int) -> datetime | None:
    qs = Segment.objects.filter(camera_id=camera_id, node=settings.NODE_NAME)
    return _unheld(qs, held_intervals(camera_id)).aggregate(m=Min("start"))["m"]


def relieve_disk_pressure(*, now: datetime | None = None) -> DeletedBatch:
    """While this node's free space is under the watermark, delete its oldest unheld footage of any camera.

    Runs on every capture node, inside a capture process: it does nothing else (the cameras' shortfall
    alarms, which are not a node's, are the beat task's), so the recorders beside it are left alone."""
    now = now or timezone.now()
    total = DeletedBatch()
    state = disk()
    if not state.under_pressure:
        report_storage_full(settings.NODE_NAME, None)
        return total
    while state.free < state.target:
        oldest = {pk: _oldest_unheld(pk) for pk in Camera.objects.values_list("pk", flat=True)}
        candidates = {pk: start for pk, start in oldest.items() if start is not None}
        if not candidates:
            report_storage_full(settings.NODE_NAME, state)
            break
        camera_id = min(candidates, key=candidates.__getitem__)
        batch = delete_batch(
            camera_id=camera_id,
            before=None,
            limit=settings.STORAGE_BATCH_SIZE,
            reason=DeletionReason.DISK_PRESSURE,
            node=settings.NODE_NAME,
            now=now,
        )
        total.count += batch.count
        total.bytes += batch.bytes
        if batch.count:
            report_deletion(camera_id, batch, DeletionReason.DISK_PRESSURE)
        state = disk()
    else:
        report_storage_full(settings.NODE_NAME, None)
    return total


def report_storage_full(node: str, state: Disk | None) -> None:
    """Node `node`'s storage is full of held footage (`state`: its figures) or not (None). One system-wide
    alarm names every node that is full, with the figures of the one with least free space; each node's
    sweep states its own part every round, so two nodes reporting at once converge by the next round."""
    with transaction.atomic():
        alarm = Alarm.objects.select_for_update().open().filter(kind=AlarmKind.STORAGE_FULL, camera=None).first()
        if alarm is None and state is None:
            return  # the usual round: nothing is full
        # An alarm of a release before per-node storage names no node: it is replaced by this node's view.
        by_node = dict(alarm.params.get("by_node") or {}) if alarm is not None else {}
        if state is None:
            by_node.pop(node, None)
        else:
            by_node[node] = [state.free // 2**20, state.watermark // 2**20]
        if not by_node:
            clear_alarm(kind=AlarmKind.STORAGE_FULL, camera_id=None)
            return
        fullest = min(by_node, key=lambda name: (by_node[name][0], name))
        raise_alarm(
            kind=AlarmKind.STORAGE_FULL,
            camera_id=None,
            severity=Severity.CRITICAL,
            params={
                "node": ", ".join(sorted(by_node)),
                "free_mib": by_node[fullest][0],
                "watermark_mib": by_node[fullest][1],
                "by_node": by_node,
            },
        )


def update_shortfall_alarms(*, now: datetime | None = None) -> None:
    """A camera whose footage inside its retention window was deleted for space does not meet its period.

    The alarm says how many days it holds now, and ends by itself once the deleted stretch is older than
    the retention period (everything the period covers is there again)."""
    now = now or timezone.now()
    for camera in Camera.objects.all():
        window = now - timedelta(days=camera.retention_days)
        lost = (
            DeletedRange.objects.filter(camera=camera, reason=DeletionReason.DISK_PRESSURE)
            .ending_after(window)
            .exists()
        )
        if not lost:
            clear_alarm(kind=AlarmKind.RETENTION_SHORTFALL, camera_id=camera.pk, now=now)
            continue
        oldest = Segment.objects.filter(camera=camera).aggregate(m=Min("start"))["m"]
        held_days = (now - oldest) / DAY if oldest else 0.0
        raise_alarm(
            kind=AlarmKind.RETENTION_SHORTFALL,
            camera_id=camera.pk,
            severity=Severity.WARNING,
            params={"camera": camera.name, "held_days": round(held_days, 1), "retention_days": camera.retention_days},
        )


@dataclass(frozen=True)
class CameraProjection:
    """A camera's storage figures and how long the storage holds at the current rates."""

    camera_id: int
    name: str
    retention_days: int
    bytes_per_day: int
    bitrate_kbps: float | None
    stored_bytes: int
    projected_days: float | None

    @property
    def below_retention(self) -> bool:
        return self.projected_days is not None and self.projected_days < self.retention_days


def project_storage(*, now: datetime | None = None) -> list[CameraProjection]:
    """Bytes per day and current bitrate per camera; days the storage holds at the current rates.

    All cameras of a node share one filesystem, so they share one projection: the space the recordings
    may use (what they use now plus free space above the watermark) over the fleet's bytes per day."""
    now = now or timezone.now()
    state = disk()
    # Closed days from their running totals, not a sum over every segment row (retention/totals.py).
    stored = totals.stored_bytes(node=settings.NODE_NAME, now=now)
    last_day = dict(
        Segment.objects.starting_in(now - DAY, now).values("camera").annotate(b=Sum("bytes")).values_list("camera", "b")
    )
    bitrates = dict(CameraStatus.objects.values_list("camera", "bitrate_kbps"))
    rates: dict[int, int] = {}
    cameras = list(Camera.objects.filter(Q(enabled=True) | Q(pk__in=stored.keys())).order_by("pk"))
    for camera in cameras:
        kbps = bitrates.get(camera.pk) if camera.enabled else None
        # The current bitrate is the better predictor; a camera without one counts its last day.
        rates[camera.pk] = int(kbps * 1000 / 8 * 86400) if kbps else int(last_day.get(camera.pk) or 0)
    capacity = sum(stored.values()) + max(0, state.free - state.watermark)
    per_day = sum(rates.values())
    days = capacity / per_day if per_day else None
    return [
        CameraProjection(
            camera_id=c.pk,
            name=c.name,
            retention_days=c.retention_days,
            bytes_per_day=rates[c.pk],
            bitrate_kbps=bitrates.get(c.pk),
            stored_bytes=int(stored.get(c.pk) or 0),
            projected_days=days,
        )
        for c in cameras
    ]


def update_projection_alarms(*, now: datetime | None = None) -> list[CameraProjection]:
    """One system-wide alarm while the shared storage cannot hold the retention period of some cameras.

    The cameras of a node share one filesystem and so one projection: the condition is the storage's, and
    the dashboard shows it once, as a banner, not on every camera's tile."""
    projections = project_storage(now=now)
    short = [p for p in projections if p.below_retention]
    if short:
        raise_alarm(
            kind=AlarmKind.STORAGE_PROJECTION,
            camera_id=None,
            severity=Severity.WARNING,
            params={
                # Rounded as shown: a figure that moves in its tenth decimal must not re-announce the alarm.
                "days": round(min(p.projected_days for p in short), 1),
                "retention_days": max(p.retention_days for p in short),
                "cameras": len(short),
            },
        )
    else:
        clear_alarm(kind=AlarmKind.STORAGE_PROJECTION, camera_id=None)
    return projections
