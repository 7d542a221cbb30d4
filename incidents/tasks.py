"""The detection beat task and the delivery of notices (docs/incidents.md)."""

import logging
import time
from datetime import timedelta

import redis
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from cameras.models import Camera
from recordings.models import Segment

from . import detection, frozen, notify, services
from .choices import IncidentKind
from .models import Incident

log = logging.getLogger(__name__)

_LOCK_KEY = "vms:incidents:lock"


@shared_task(ignore_result=True)
def detect_incidents() -> int:
    """Derive incidents from the recorders' reports; the number of changed incidents. One run at a time
    (a slow run is not overtaken by the next one: they would both send the same alert)."""
    client = frozen.redis_client()
    try:
        if not client.set(_LOCK_KEY, "1", nx=True, ex=60):
            return 0
    except redis.RedisError:
        client = None  # Redis down: detect anyway (frozen pictures wait), dashboards will not hear it
    try:
        return _detect(client)
    finally:
        if client is not None:
            try:
                client.delete(_LOCK_KEY)
                client.set(detection.DETECTED_KEY, repr(time.time()))
            except redis.RedisError:
                pass


# A recording camera's newest segment is seconds old: the last minutes' rows (in the newest day's
# partition) hold it. Not a whole day: the query reads every row of its window, 2 M a day at 96 cameras.
# Cameras silent for longer are looked up across every day (docs/incidents.md).
_RECENT = timedelta(minutes=10)


def _detect(client: redis.Redis | None) -> int:
    now = timezone.now()
    cameras = list(Camera.objects.recordable().select_related("status"))
    newest = Segment.objects.newest_per_camera([c.pk for c in cameras], since=now - _RECENT)
    # Most cameras are well and have no open incident: those need no transaction of their own.
    open_now = set(Incident.objects.open().values_list("camera_id", "kind"))
    changes: list[services.Change] = []
    for camera in cameras:
        picture = None
        segment = newest.get(camera.pk)
        if client is not None and segment is not None:
            try:
                picture = frozen.observe(
                    client,
                    camera_id=camera.pk,
                    segment_id=segment["id"],
                    node=segment["node"],
                    path=segment["path"],
                    start=segment["start"],
                )
            except redis.RedisError:
                picture = None
        newest_end = segment["end"] if segment else None
        found = detection.conditions(camera, newest_end=newest_end, picture=picture, now=now)
        for kind in IncidentKind.values:
            condition = found[kind]
            if condition is None or not (condition.failing or (camera.pk, kind) in open_now):
                continue
            change = services.step(camera_id=camera.pk, kind=kind, condition=condition, now=now)
            if change is not None:
                changes.append(change)
    # Cameras no longer recorded: their incidents end without a notice.
    gone = list(
        Incident.objects.open().exclude(camera__in=Camera.objects.recordable()).values_list("camera", flat=True)
    )
    ended = services.end_without_notice(camera_ids=gone, now=now) if gone else []
    changed_ids = [c.incident_id for c in changes] + ended
    notify.to_dashboards(changed_ids)
    notices = [[c.incident_id, c.notice] for c in changes if c.notice]
    if notices:
        transaction.on_commit(lambda: deliver_notices.delay(notices))
    return len(changed_ids)


@shared_task(ignore_result=True)
def deliver_notices(notices: list[list]) -> None:
    """Email and webhook for [incident id, notice] pairs of one detection run; gone incidents are skipped.
    Not retried: a lost notice is repeated by the re-notification of an unacknowledged incident."""
    incidents = Incident.objects.select_related("camera__eldership", "acknowledged_by").in_bulk(
        [incident_id for incident_id, _notice in notices]
    )
    changes = [(incidents[i], notice) for i, notice in notices if i in incidents]
    if not changes:
        return
    notify.email(changes)
    notify.webhook(changes)
