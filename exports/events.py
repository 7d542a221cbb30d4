"""Progress events of an export to its open websockets: the one typed helper that sends them."""

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from .models import Export

log = logging.getLogger(__name__)

EVENT_TYPE = "export.progress"


def progress_group(export_id: int) -> str:
    """The Channels group of one export's progress; its consumer is /ws/exports/<id>/."""
    return f"export-{export_id}"


def progress_payload(export: Export) -> dict[str, Any]:
    return {"type": EVENT_TYPE, "state": export.state, "progress": export.progress, "error": export.error}


def send_progress(export: Export) -> None:
    """Tell the export's open websockets its state; a broker that is down only costs the live view."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(progress_group(export.pk), progress_payload(export))
    except Exception:  # noqa: BLE001 - the row is the truth; the page also polls it on connect
        log.warning("export %s: progress event not sent", export.pk, exc_info=True)
