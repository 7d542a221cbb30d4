"""Celery tasks of the exports app: build a package; queue again the exports whose worker died."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import package
from .choices import ExportState
from .events import send_progress
from .models import Export
from .states import claim, claimable, give_up_if_exhausted, stale_before

log = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def build_export(export_id: int) -> None:
    """Build the export's package; safe to run twice (only the claim's holder builds, into a fresh
    temporary folder renamed into place at the end). Returns quietly when the export is gone or taken."""
    attempt = claim(export_id)
    if attempt is None:
        return
    package.build(export_id, attempt)


@shared_task(ignore_result=True)
def requeue_stale_exports() -> int:
    """Queue again every export whose worker died while building it (or whose message was lost)."""
    stale = list(
        Export.objects.filter(claimable(), heartbeat_at__lt=stale_before()).values_list(
            "pk", "attempts", "attempts_before_retry"
        )
    )
    queued = 0
    for export_id, attempts, before_retry in stale:
        if attempts - before_retry >= settings.EXPORT_MAX_ATTEMPTS:
            give_up_if_exhausted(export_id)
            continue
        # Touch the heartbeat so that the next beat does not queue it a second time while it waits.
        if Export.objects.filter(claimable(), pk=export_id).update(
            state=ExportState.QUEUED, heartbeat_at=timezone.now()
        ):
            log.warning("export %s: no heartbeat for %ss, queued again", export_id, settings.EXPORT_STALE_SECONDS)
            send_progress(Export.objects.get(pk=export_id))
            build_export.delay(export_id)
            queued += 1
    return queued
