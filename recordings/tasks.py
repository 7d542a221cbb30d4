"""Celery tasks of capture: one long-running recorder per camera, and the dispatcher that starts them."""

import logging

import redis
from celery import shared_task
from django.db import transaction

from cameras.models import Camera

from .capture import lease

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
    """Queue a recorder for every enabled camera that has none (new camera, dead worker, lost task)."""
    queued = 0
    try:
        for camera_id in Camera.objects.enabled().values_list("pk", flat=True):
            if lease.holder_of(camera_id) is None and lease.claim_dispatch(camera_id):
                record_camera.delay(camera_id)
                queued += 1
    except redis.RedisError as exc:
        log.warning("cannot dispatch recorders, Redis unavailable: %s", exc.__class__.__name__)
    return queued


def dispatch_after_commit() -> None:
    """Start recording a newly enabled camera now rather than at the dispatcher's next round."""
    transaction.on_commit(lambda: dispatch_recorders.delay())
