"""Periodic integrity work: seal finished days, re-hash a rolling sample, reconcile disk and index."""

import logging
import random

from celery import shared_task
from django.conf import settings

from alarms.choices import AlarmKind, Severity
from alarms.services import raise_alarm
from recordings.capture import chores, storage
from recordings.choices import SegmentStatus
from recordings.models import Segment

from . import reconcile as reconciler
from . import services

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def seal_daily_digests() -> int:
    return services.seal_pending()


@shared_task(ignore_result=True)
def reconcile() -> list[str]:
    """Ask every live capture node to reconcile its own recordings root (recordings/capture/chores.py)."""
    return chores.fan_out(reconcile_node, expires=settings.RECONCILE_INTERVAL_SECONDS)


@shared_task(ignore_result=True)
def reconcile_node(node: str, asked_at: float) -> str | None:
    """Reconcile this node's recordings root with the index (sent to the node's queue only)."""
    report = chores.run_once("reconcile", node=node, asked_at=asked_at, work=reconciler.reconcile)
    return report.summary() if report is not None else None


@shared_task(ignore_result=True)
def rehash_sample() -> list[str]:
    """Ask every live capture node to re-hash a sample of its own segments (recordings/capture/chores.py):
    each node's files are on its own disk, and a worker elsewhere would only ever sample its own node's."""
    return chores.fan_out(rehash_node_sample, expires=settings.INTEGRITY_REHASH_INTERVAL_SECONDS)


@shared_task(ignore_result=True)
def rehash_node_sample(node: str, asked_at: float) -> int | None:
    """Re-hash a sample of this node's segments (sent to the node's queue only)."""
    return chores.run_once("rehash", node=node, asked_at=asked_at, work=rehash_segments_of_this_node)


def rehash_segments_of_this_node(size: int | None = None) -> int:
    """Re-hash a random sample of this node's segments; a file that no longer matches its SHA-256 raises an
    alarm. Returns how many were altered."""
    size = size or settings.INTEGRITY_SAMPLE_SIZE
    qs = Segment.objects.filter(status=SegmentStatus.OK, node=settings.NODE_NAME)
    first = qs.order_by("pk").values_list("pk", flat=True).first()
    last = qs.order_by("-pk").values_list("pk", flat=True).first()
    if first is None:
        return 0
    # Random primary keys rather than ORDER BY random(): the index has millions of rows.
    picks = {random.randint(first, last) for _ in range(size * 2)}
    altered = 0
    for seg in qs.filter(pk__in=picks)[:size]:
        path = storage.segment_file(seg.node, seg.path)
        if not path.exists():
            continue  # the reconciler marks and reports missing files
        if storage.sha256_of(path) != seg.sha256:
            altered += 1
            raise_alarm(
                kind=AlarmKind.INTEGRITY,
                camera_id=seg.camera_id,
                severity=Severity.CRITICAL,
                params={"path": seg.path},
            )
    return altered
