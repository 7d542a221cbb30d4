"""Celery tasks of capture: one long-running recorder per camera, and the dispatcher that starts them."""

import logging
import time
from datetime import timedelta

import redis
from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cameras.models import Camera

from .capture import lease, nodes
from .partitions import compact_closed_day, ensure_partitions, vacuum_finished_day, vacuum_partition

log = logging.getLogger(__name__)


@shared_task(acks_late=False, ignore_result=True)
def record_camera(camera_id: int) -> str:
    """Record the camera until it is disabled or deleted or the worker stops; safe to deliver twice."""
    from .capture.supervisor import CameraRecorder

    outcome = CameraRecorder(camera_id).run()
    log.info(outcome)
    return outcome


@shared_task(ignore_result=True)
def dispatch_recorders() -> int:
    """Queue a recorder for every enabled camera that has none (new camera, dead worker or node, lost
    task), spread over the live capture processes within each node's capacity (capture/nodes.py)."""
    queued = 0
    # A recorder cut off from Redis cannot renew its lease but still reports through the database;
    # starting a second one for its camera would record it twice.
    alive_since = timezone.now() - timedelta(seconds=settings.CAPTURE_LEASE_SECONDS)
    recordable = list(Camera.objects.recordable().values_list("pk", flat=True))
    reporting = set(
        Camera.objects.recordable().filter(status__heartbeat_at__gte=alive_since).values_list("pk", flat=True)
    )
    try:
        holders = lease.holders(recordable)
        processes = nodes.live_processes(redis_client=lease.client())
        spread = nodes.Spread(processes, [h for h in holders if h])
        full = []
        for camera_id, holder in zip(recordable, holders, strict=True):
            if holder is not None or camera_id in reporting:
                continue
            if not lease.claim_dispatch(camera_id):
                continue  # queued less than a lease period ago
            # No registered process (a worker of an older release, or none yet): the shared queue.
            target = spread.choose() if processes else None
            if processes and target is None:
                full.append(camera_id)
                continue
            record_camera.apply_async((camera_id,), queue=target.queue if target else "capture")
            queued += 1
        if full:
            log.warning(
                "cameras %s not recorded: every capture node is at its capacity (CAPTURE_NODE_CAPACITY) "
                "or has no recorder thread left (CAPTURE_CONCURRENCY)",
                full,
            )
        lease.mark_dispatcher_ran(time.time())
    except redis.RedisError as exc:
        log.warning("cannot dispatch recorders, Redis unavailable: %s", exc.__class__.__name__)
    return queued


def dispatch_after_commit() -> None:
    """Start recording a newly enabled camera now rather than at the dispatcher's next round."""
    transaction.on_commit(lambda: dispatch_recorders.delay())


@shared_task(ignore_result=True)
def maintain_segment_partitions() -> int:
    """Create the coming days' partitions of the segment index, split out of the default partition any
    day that has rows in it, vacuum yesterday's, and rewrite one closed day in (camera, start) order
    (PostgreSQL; nothing to do on SQLite)."""
    created = len(ensure_partitions())
    compacted = compact_closed_day()  # first: yesterday's vacuum then covers its rewrite too
    vacuumed = vacuum_finished_day()
    if compacted and compacted != vacuumed:
        vacuum_partition(compacted)  # the rewrite left its visibility map empty (index-only timelines)
    return created
