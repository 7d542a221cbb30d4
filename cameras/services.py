"""Workflows on cameras: decommissioning, what blocks a deletion."""

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.choices import AuditAction
from audit.services import record

from .models import Camera
from .signals import camera_decommissioned


def decommission_camera(
    *, camera_id: int, reason: str, request: HttpRequest | None = None, user: Any = None, now: datetime | None = None
) -> Camera:
    """Take a camera out of service for good: recording stops, it leaves the dashboards and the status
    stream, and its footage and every record of it stay (playable by those allowed) until retention
    removes them like any other footage. Audited with the reason."""
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
        # In the same transaction, the apps above cameras end what no longer applies (alarms: the
        # conditions of a camera no one records any more are over).
        camera_decommissioned.send(sender=Camera, camera=camera, at=now)
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
    camera cannot be deleted (the foreign keys protect it); decommissioning is the way out of service.

    The kinds are the rows of the apps above cameras that point at it with a protecting foreign key
    (footage, gaps, digests, deletions, deleted ranges, alarms) and the holds naming it; cameras
    imports none of those apps, it asks its own relations."""
    counts: dict[str, int] = {}
    for relation in Camera._meta.related_objects:
        if relation.many_to_many or (relation.one_to_many and relation.on_delete is models.PROTECT):
            model = relation.related_model
            count = model._base_manager.filter(**{relation.field.name: camera_id}).count()
            if count:
                counts[str(model._meta.verbose_name_plural)] = count
    return counts
