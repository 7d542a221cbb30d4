"""Storage pressure: free space watermark, oldest-unheld-first deletion, projections and their alarms."""

import contextlib
import dataclasses
import json
import logging
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from alarms.choices import AlarmKind, Severity
from alarms.models import Alarm
from alarms.services import clear_alarm, raise_alarm
from cameras.models import Camera, CameraStatus
from recordings.capture import lease, nodes
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


# Each capture node reports what its own storage holds (docs/nodes.md "Storage projection"); a report older
# than three rounds is a node that stopped, and no longer counts.
_REPORTS_KEY = "vms:storage:projection"
_REPORT_ROUNDS_KEPT = 3
# A file in the recordings root naming the storage: nodes that share one storage (NFS) find the same name.
STORAGE_ID_FILE = ".vms-storage-id"


@dataclass(frozen=True)
class NodeStorage:
    """One node's view of its own storage, as it reports it for the projection."""

    node: str
    storage_id: str
    free_above_watermark: int
    stored: dict[int, int]  # bytes per camera indexed on this node
    last_day: dict[int, int]  # bytes per camera of the segments it started in the last day
    newest: dict[int, float]  # POSIX end of each camera's newest segment on this node in the last day
    reported_at: float

    def to_json(self) -> str:
        return json.dumps(dataclasses.asdict(self))

    @classmethod
    def from_json(cls, text: str | bytes) -> "NodeStorage":
        data = json.loads(text)
        for name in ("stored", "last_day", "newest"):
            data[name] = {int(k): v for k, v in data[name].items()}
        return cls(**data)


def storage_id() -> str:
    """The name of the storage holding this node's RECORDINGS_ROOT, made on first use."""
    marker = Path(settings.RECORDINGS_ROOT) / STORAGE_ID_FILE
    try:
        if not marker.exists():
            marker.parent.mkdir(parents=True, exist_ok=True)
            draft = marker.with_name(f"{STORAGE_ID_FILE}.{uuid.uuid4().hex}")
            draft.write_text(uuid.uuid4().hex)
            # Linked whole or not at all: another node of a shared storage may be making it at this moment.
            with contextlib.suppress(FileExistsError):
                os.link(draft, marker)
            draft.unlink()
        return marker.read_text().strip()
    except OSError:
        # A root this process may only read (the web tier's mount) and no capture node has named yet.
        return f"path:{marker.parent}"


def this_node_storage(*, now: datetime | None = None) -> NodeStorage:
    now = now or timezone.now()
    state = disk()
    recent = (
        Segment.objects.starting_in(now - DAY, now)
        .filter(node=settings.NODE_NAME)
        .values("camera")
        .annotate(b=Sum("bytes"), newest=Max("end"))
    )
    return NodeStorage(
        node=settings.NODE_NAME,
        storage_id=storage_id(),
        free_above_watermark=max(0, state.free - state.watermark),
        # Closed days from their running totals, not a sum over every segment row (retention/totals.py).
        stored={k: int(v) for k, v in totals.stored_bytes(node=settings.NODE_NAME, now=now).items()},
        last_day={r["camera"]: int(r["b"] or 0) for r in recent},
        newest={r["camera"]: r["newest"].timestamp() for r in recent},
        reported_at=now.timestamp(),
    )


def report_node_storage(*, now: datetime | None = None) -> NodeStorage:
    """Measure this node's storage, publish it for the projection, and update the projection's alarm."""
    report = this_node_storage(now=now)
    lease.client().hset(_REPORTS_KEY, report.node, report.to_json())
    update_projection_alarms(now=now)
    return report


def node_reports(*, now: datetime | None = None) -> list[NodeStorage]:
    """The nodes' latest reports that are recent enough; this process's own view when there are none (one
    node that has not reported yet, or Redis unavailable)."""
    now = now or timezone.now()
    try:
        client = lease.client()
        raw = client.hgetall(_REPORTS_KEY)
        live = set(nodes.live_nodes(redis_client=client))
    except redis.RedisError as exc:
        log.warning("storage reports unavailable, Redis down: %s; projecting this node alone", type(exc).__name__)
        raw, live = {}, set()
    oldest = now.timestamp() - _REPORT_ROUNDS_KEPT * settings.STORAGE_PROJECTION_INTERVAL_SECONDS
    reports = []
    for value in raw.values():
        try:
            report = NodeStorage.from_json(value)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("a storage report that cannot be read (another release's?) is left out")
            continue
        # A node that stopped no longer records onto its storage; its cameras are another node's now.
        if report.node in live and report.reported_at >= oldest:
            reports.append(report)
    return reports or [this_node_storage(now=now)]


def project_storage(*, now: datetime | None = None) -> list[CameraProjection]:
    """Bytes per day and current bitrate per camera; days its storage holds at the current rates.

    The cameras recorded on one storage share it: the space the recordings may use there (what they use
    now plus free space above the watermark) over the bytes per day of the cameras recording onto it. With
    several nodes each storage is projected on its own (nodes sharing one, over NFS, count as one), and a
    camera belongs to the storage of the node that recorded its newest segment."""
    now = now or timezone.now()
    reports = node_reports(now=now)
    storage_of = {r.node: r.storage_id for r in reports}
    free: dict[str, int] = {}
    used: dict[str, int] = {}
    stored: dict[int, int] = {}
    home: dict[int, tuple[float, NodeStorage]] = {}
    for report in reports:
        sid = report.storage_id
        # One filesystem seen by several nodes: its free space counts once.
        free[sid] = min(free.get(sid, report.free_above_watermark), report.free_above_watermark)
        used[sid] = used.get(sid, 0) + sum(report.stored.values())
        for camera_id, size in report.stored.items():
            stored[camera_id] = stored.get(camera_id, 0) + size
        for camera_id, newest in report.newest.items():
            if camera_id not in home or newest > home[camera_id][0]:
                home[camera_id] = (newest, report)
    bitrates = dict(CameraStatus.objects.values_list("camera", "bitrate_kbps"))
    cameras = list(Camera.objects.filter(Q(enabled=True) | Q(pk__in=stored.keys())).order_by("pk"))
    only = next(iter(free)) if len(free) == 1 else None  # one storage: every camera records onto it
    rates: dict[int, int] = {}
    storage_of_camera: dict[int, str | None] = {}
    per_day = dict.fromkeys(free, 0)
    for camera in cameras:
        kbps = bitrates.get(camera.pk) if camera.enabled else None
        report = home[camera.pk][1] if camera.pk in home else None
        # The current bitrate is the better predictor; a camera without one counts its last day.
        last_day = report.last_day.get(camera.pk, 0) if report else 0
        rates[camera.pk] = int(kbps * 1000 / 8 * 86400) if kbps else last_day
        sid = storage_of[report.node] if report else only
        storage_of_camera[camera.pk] = sid
        if sid is not None:
            per_day[sid] += rates[camera.pk]
    days = {sid: (used[sid] + free[sid]) / per_day[sid] if per_day[sid] else None for sid in free}
    # A camera with nothing recorded in the last day will record where there is least room: the worst case.
    unplaced = min((d for d in days.values() if d is not None), default=None)
    return [
        CameraProjection(
            camera_id=c.pk,
            name=c.name,
            retention_days=c.retention_days,
            bytes_per_day=rates[c.pk],
            bitrate_kbps=bitrates.get(c.pk),
            stored_bytes=int(stored.get(c.pk) or 0),
            projected_days=days[sid] if (sid := storage_of_camera[c.pk]) is not None else unplaced,
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
