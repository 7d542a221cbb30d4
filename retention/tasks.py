"""Periodic retention work: expire footage, relieve disk pressure, project storage. All safe to run twice."""

import logging

from celery import shared_task
from django.conf import settings

from recordings.capture import chores

from . import services, storage

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def enforce_retention() -> int:
    """Delete footage past each camera's retention period, in small batches (logged per camera)."""
    return sum(batch.count for batch in services.enforce_retention().values())


@shared_task(ignore_result=True)
def relieve_disk_pressure() -> list[str]:
    """Ask every live capture node to look at its own disk (recordings/capture/chores.py); open or end the
    cameras' shortfall alarms (what the nodes' earlier rounds deleted)."""
    asked = chores.fan_out(relieve_node_disk_pressure, expires=settings.STORAGE_CHECK_INTERVAL_SECONDS)
    storage.update_shortfall_alarms()
    return asked


@shared_task(ignore_result=True)
def relieve_node_disk_pressure(node: str, asked_at: float) -> int | None:
    """Keep this node's free space above the watermark by deleting its oldest unheld footage; raise or
    clear its part of the storage-full alarm (sent to the node's queue only)."""
    batch = chores.run_once("disk-pressure", node=node, asked_at=asked_at, work=storage.relieve_disk_pressure)
    return batch.count if batch is not None else None


@shared_task(ignore_result=True)
def project_storage() -> list[str]:
    """Ask every live capture node to report its own storage for the projection and update its alarm (the
    storage will not hold the retention period at the current rates); without a live node, project here."""
    asked = chores.fan_out(project_node_storage, expires=settings.STORAGE_PROJECTION_INTERVAL_SECONDS)
    if not asked:
        storage.update_projection_alarms()
    return asked


@shared_task(ignore_result=True)
def project_node_storage(node: str, asked_at: float) -> int | None:
    """Report this node's storage (sent to the node's queue only) and update the projection's alarm."""
    report = chores.run_once("storage-projection", node=node, asked_at=asked_at, work=storage.report_node_storage)
    return report.free_above_watermark if report is not None else None
