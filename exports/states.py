"""The export row's transitions that every run shares: claiming it, giving up, announcing the end."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import ExportState
from .events import send_progress
from .models import Export
from .signals import export_finished


def stale_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.EXPORT_STALE_SECONDS)


def claimable() -> Q:
    """A QUEUED export, or a RUNNING one whose task stopped touching it (its worker is gone)."""
    return Q(state=ExportState.QUEUED) | Q(state=ExportState.RUNNING, heartbeat_at__lt=stale_before())


def claim(export_id: int) -> int | None:
    """Take the export for this task with a conditional UPDATE (two deliveries of the same message, or a
    re-queue racing a slow worker, cannot both build it); the attempt number, or None if not ours."""
    now = timezone.now()
    updated = Export.objects.filter(
        claimable(), pk=export_id, attempts__lt=F("attempts_before_retry") + settings.EXPORT_MAX_ATTEMPTS
    ).update(
        state=ExportState.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=now,
        started_at=now,
        progress=0.0,
        error="",
    )
    if not updated:
        give_up_if_exhausted(export_id)
        return None
    return Export.objects.values_list("attempts", flat=True).get(pk=export_id)


def give_up_if_exhausted(export_id: int) -> None:
    """An export interrupted EXPORT_MAX_ATTEMPTS times is left FAILED (a person may retry it)."""
    error = _("The export was interrupted %(count)d times and was stopped; it can be retried.") % {
        "count": settings.EXPORT_MAX_ATTEMPTS
    }
    failed = Export.objects.filter(
        claimable(), pk=export_id, attempts__gte=F("attempts_before_retry") + settings.EXPORT_MAX_ATTEMPTS
    ).update(state=ExportState.FAILED, error=error, finished_at=timezone.now())
    if failed:
        finished(Export.objects.get(pk=export_id))


def finished(export: Export) -> None:
    send_progress(export)
    transaction.on_commit(lambda: export_finished.send(sender=Export, export=export))
