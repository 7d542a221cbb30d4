"""Periodic retention work: expire footage, relieve disk pressure, project storage. All safe to run twice."""

import logging

from celery import shared_task

from . import services, storage

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def enforce_retention() -> int:
    """Delete footage past each camera's retention period, in small batches (logged per camera)."""
    return sum(batch.count for batch in services.enforce_retention().values())


@shared_task(ignore_result=True)
def relieve_disk_pressure() -> int:
    """Keep free space above the watermark by deleting the oldest unheld footage; raise or clear alarms."""
    return storage.relieve_disk_pressure().count


@shared_task(ignore_result=True)
def project_storage() -> int:
    """Warn per camera when the storage will not hold its retention period at the current rates."""
    return sum(p.below_retention for p in storage.update_projection_alarms())
