"""Workflows on cameras: probing a stream before it is recorded, decommissioning, what blocks a deletion."""

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import av
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Camera


@dataclass(frozen=True)
class ProbeResult:
    """What a camera's stream offers, or why it cannot be read (`error`, safe to show)."""

    ok: bool
    codec: str = ""
    width: int = 0
    height: int = 0
    fps: float | None = None
    error: str = ""

    def __str__(self) -> str:
        if not self.ok:
            return self.error
        fps = f", {self.fps:.1f} fps" if self.fps else ""
        return f"{self.codec.upper()} {self.width}×{self.height}{fps}"


def probe_camera(camera: Camera, *, timeout: float | None = None) -> ProbeResult:
    """Open the camera's stream over TCP and read a few frames' worth of packets."""
    from recordings.capture.session import check_address, describe_av_error, rtsp_options

    timeout = timeout or settings.CAPTURE_RTSP_TIMEOUT_SECONDS
    if error := check_address(camera.rtsp_url):
        return ProbeResult(ok=False, error=error.message)
    try:
        with av.open(
            camera.connection_url(),
            options=rtsp_options(timeout),
        ) as container:
            if not container.streams.video:
                return ProbeResult(ok=False, error="The stream has no video track.")
            video = container.streams.video[0]
            pts: list[int] = []
            deadline = time.monotonic() + timeout
            for packet in container.demux(video):
                if packet.pts is not None:
                    pts.append(packet.pts)
                if len(pts) >= 10 or time.monotonic() > deadline:
                    break
            fps = _fps(pts, video)
            ctx = video.codec_context
            return ProbeResult(ok=True, codec=ctx.name, width=ctx.width, height=ctx.height, fps=fps)
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message; none may show the URL
        message = describe_av_error(exc).message
        for secret in camera.secrets():
            message = message.replace(secret, "***")
        return ProbeResult(ok=False, error=message)


def _fps(pts: list[int], video: av.video.stream.VideoStream) -> float | None:
    ordered = sorted(set(pts))
    if len(ordered) >= 2:
        span = float((ordered[-1] - ordered[0]) * video.time_base)
        if span > 0:
            return (len(ordered) - 1) / span
    rate = video.average_rate or video.guessed_rate
    return float(rate) if rate else None


def decommission_camera(
    *, camera_id: int, reason: str, request: HttpRequest | None = None, user: Any = None, now: datetime | None = None
) -> Camera:
    """Take a camera out of service for good: recording stops, it leaves the dashboards and the status
    stream, and its footage and every record of it stay (playable by those allowed) until retention
    removes them like any other footage. Audited with the reason."""
    from alarms.models import Alarm
    from audit.choices import AuditAction
    from audit.services import record

    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Decommissioning a camera needs a reason."))
    now = now or timezone.now()
    with transaction.atomic():
        camera = Camera.objects.select_for_update().get(pk=camera_id)
        if camera.decommissioned_at is not None:
            raise ValidationError(_("%(name)s is already decommissioned.") % {"name": camera.name})
        camera.enabled = False  # the recorder's keeper stops a camera that is not enabled within seconds
        camera.decommissioned_at = now
        camera.decommission_reason = reason
        camera.save(update_fields=["enabled", "decommissioned_at", "decommission_reason", "updated_at"])
        # Conditions of a camera no one records any more (unreachable, short of retention) are over.
        Alarm.objects.filter(camera=camera, ended_at__isnull=True).update(ended_at=now, updated_at=now)
        record(
            action=AuditAction.CAMERA_DECOMMISSIONED,
            request=request,
            user=user,
            camera=camera,
            target=f"camera {camera.pk}",
            details={"name": camera.name, "reason": reason, "at": now.isoformat()},
        )
    return camera


def deletion_blockers(camera_id: int) -> dict[str, int]:
    """What still accounts for the camera's footage, by kind, with counts. While anything remains the
    camera cannot be deleted (the foreign keys protect it); decommissioning is the way out of service."""
    from alarms.models import Alarm
    from integrity.models import DailyDigest, DeletionRecord
    from recordings.models import Gap, Segment
    from retention.models import DeletedRange, Hold

    counts = {
        str(model._meta.verbose_name_plural): model.objects.filter(camera_id=camera_id).count()
        for model in (Segment, Gap, DailyDigest, DeletionRecord, DeletedRange, Alarm)
    }
    counts[str(Hold._meta.verbose_name_plural)] = Hold.objects.filter(cameras=camera_id).count()
    return {kind: count for kind, count in counts.items() if count}
