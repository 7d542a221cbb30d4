"""Starting, retrying and locating exports; progress events to the websocket (one typed helper)."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from cameras.models import Camera

from .choices import ExportKind, ExportState
from .events import progress_group, progress_payload, send_progress
from .models import Export, ExportItem
from .paths import export_dir
from .tasks import build_export

__all__ = ["package_path", "progress_group", "progress_payload", "retry_export", "send_progress", "start_export"]


def _queue(export_id: int) -> None:
    transaction.on_commit(lambda: build_export.delay(export_id))


@transaction.atomic
def start_export(
    *,
    kind: str,
    items: Sequence[tuple[Camera, datetime, datetime]],
    created_by: Any,
    viewers: Iterable[Any] = (),
    evidence: dict | None = None,
    burn_in: bool = False,
) -> Export:
    """Create the export and its items and queue its build once the transaction commits."""
    if kind not in ExportKind.values:
        raise ValueError(f"unknown export kind {kind!r}")
    if not items:
        raise ValueError("an export needs at least one camera and range")
    for _camera, start, end in items:
        if start.tzinfo is None or end.tzinfo is None or not start < end:
            raise ValueError("each range needs aware instants with its end after its start")
    export = Export.objects.create(
        kind=kind, created_by=created_by, evidence=evidence or {}, burn_in=burn_in, heartbeat_at=timezone.now()
    )
    export.viewers.set(list(viewers))
    ExportItem.objects.bulk_create(
        ExportItem(export=export, camera=camera, requested_start=start, requested_end=end)
        for camera, start, end in items
    )
    _queue(export.pk)
    return export


@transaction.atomic
def retry_export(export: Export) -> None:
    """A FAILED export (or a RUNNING one whose worker is gone) is queued again from the start, with
    EXPORT_MAX_ATTEMPTS builds of its own."""
    updated = Export.objects.filter(pk=export.pk, state__in=[ExportState.FAILED, ExportState.RUNNING]).update(
        state=ExportState.QUEUED,
        progress=0.0,
        error="",
        heartbeat_at=timezone.now(),
        finished_at=None,
        attempts_before_retry=F("attempts"),
    )
    if updated:
        export.refresh_from_db()
        _queue(export.pk)


def package_path(export: Export) -> Path:
    """The zip of a READY export."""
    if export.state != ExportState.READY or not export.package_name:
        raise FileNotFoundError(f"export {export.pk} is not ready")
    return export_dir(export.pk) / export.package_name
