"""The one place where viewing live or recorded video is written to the audit log."""

import time
from datetime import datetime

from django.http import HttpRequest

from audit.choices import AuditAction
from audit.services import record
from cameras.models import Camera

_ACTIONS = {
    "live": AuditAction.LIVE_VIEW,
    "snapshot": AuditAction.LIVE_VIEW,
    "playback": AuditAction.PLAYBACK,
    "clip": AuditAction.CLIP_DOWNLOAD,
}
# A viewing session: the player's playlist reloads, seeks and snapshot refreshes within this window
# are one viewing, not one entry per request.
SESSION_WINDOW_S = 15 * 60


def note_viewing(request: HttpRequest, camera: Camera, kind: str, **detail: object) -> None:
    """Record that request.user viewed `camera` (kind: live, playback, snapshot, clip): one entry per
    viewing session of a camera; every clip download is its own entry."""
    action = _ACTIONS[kind]
    if action != AuditAction.CLIP_DOWNLOAD and hasattr(request, "session"):
        key = f"audit-viewing:{action}:{camera.pk}"
        last = request.session.get(key)
        now = time.time()
        if last is not None and now - last < SESSION_WINDOW_S:
            return
        request.session[key] = now
    details = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in detail.items()}
    record(action=action, request=request, camera=camera, details={"kind": kind, **details})
