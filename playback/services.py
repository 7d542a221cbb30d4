"""Queries behind playback: which segments make a playlist, what a day's timeline shows."""

import asyncio
import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Sum

from birzai_vms import localtime
from cameras.models import Camera
from incidents.models import Incident
from recordings.choices import GapCause, SegmentStatus
from recordings.models import Segment
from retention.choices import DeletionReason
from retention.models import DeletedRange
from retention.timeline import timeline

from . import playlists

LIVE_WINDOW = 4  # segments in a live playlist
LIVE_POLL_SECONDS = 0.1  # how often a blocking live playlist request looks for the next segment
ROW_FIELDS = ("pk", "start", "end", "path", "codec")  # a playlists.Row


def _playable(camera: Camera) -> Any:
    # A segment whose file vanished is left out: the player sees a discontinuity, not a failed download.
    return Segment.objects.of_camera(camera).exclude(status=SegmentStatus.MISSING)


def segment_rows(*, camera: Camera, start: datetime, end: datetime) -> list[playlists.Row]:
    return list(_playable(camera).overlapping(start, end).order_by("start").values_list(*ROW_FIELDS))


def live_rows(*, camera: Camera) -> tuple[list[playlists.Row], int]:
    """The newest segments and the media sequence number of the first."""
    rows = list(_playable(camera).order_by("-start").values_list(*ROW_FIELDS)[:LIVE_WINDOW])
    rows.reverse()
    if not rows:
        return [], 0
    return rows, sequence_number(camera=camera, segment_pk=rows[0][0], start=rows[0][1])


@dataclass(frozen=True)
class _Anchor:
    segment_pk: int
    start: datetime
    number: int


# The last numbered segment per camera: the next number is counted from it, not from the camera's history.
_anchors: dict[int, _Anchor] = {}


def sequence_number(*, camera: Camera, segment_pk: int, start: datetime) -> int:
    """A segment's media sequence number: how many segments the camera recorded before it, those deleted
    since included (every deletion leaves a DeletedRange with its count), so that it never changes while
    the segment exists: not at a retention sweep, not at midnight. A player that reloads a live
    playlist relies on that."""
    anchor = _anchors.get(camera.pk)
    if anchor and anchor.start <= start and Segment.objects.filter(pk=anchor.segment_pk, start=anchor.start).exists():
        number = anchor.number + Segment.objects.of_camera(camera).starting_in(anchor.start, start).count()
    else:
        recorded = Segment.objects.of_camera(camera).starting_before(start).count()
        deleted = DeletedRange.objects.of_camera(camera).starting_before(start).aggregate(n=Sum("segment_count"))["n"]
        number = recorded + (deleted or 0)
    _anchors[camera.pk] = _Anchor(segment_pk, start, number)
    return number


class _WaitingRequests:
    """How many live playlist requests of this process wait for their next segment. Each holds a
    database connection while it waits; past the limit a player is answered at once and polls."""

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    def join(self) -> bool:
        with self._lock:
            if self.count >= settings.LIVE_WAITING_REQUESTS_MAX:
                return False
            self.count += 1
            return True

    def leave(self) -> None:
        with self._lock:
            self.count -= 1


waiting_requests = _WaitingRequests()


async def wait_for_newer(*, camera: Camera, than: datetime, seconds: float) -> bool:
    """Wait up to `seconds` for a playable segment starting after `than`; True once there is one
    (False at once when too many requests of this process wait already)."""
    if not waiting_requests.join():
        return False
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        newer = _playable(camera).filter(start__gt=than)
        while not await newer.aexists():
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(LIVE_POLL_SECONDS)
        return True
    finally:
        waiting_requests.leave()


def _ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)


def _label(choices: type[models.TextChoices], value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def day_timeline(*, camera: Camera, day: date) -> dict[str, Any]:
    """retention.timeline's timeline of one Vilnius day (recorded spans, gaps and deletions with their
    causes, active holds), in epoch milliseconds for the player."""
    start, end = localtime.day_bounds(day)
    shown = timeline(camera_id=camera.pk, start=start, end=end)
    return {
        "camera_id": camera.pk,
        "date": day.isoformat(),
        "start": _ms(start),
        "end": _ms(end),
        "recorded": [[_ms(span.start), _ms(span.end)] for span in shown["recorded"]],
        "gaps": [
            {"start": _ms(g["start"]), "end": _ms(g["end"]), "cause": g["cause"], "label": _label(GapCause, g["cause"])}
            for g in shown["gaps"]
        ],
        "deleted": [
            {"start": _ms(r["start"]), "end": _ms(r["end"]), "label": _label(DeletionReason, r["reason"])}
            for r in shown["deleted"]
        ],
        "holds": [{"start": _ms(h["start"]), "end": _ms(h["end"])} for h in shown["holds"]],
        # An open incident has no end yet (null): it lasts to now.
        "incidents": [
            {
                "id": i.pk,
                "kind": i.kind,
                "label": i.get_kind_display(),
                "start": _ms(i.started_at),
                "end": _ms(i.ended_at) if i.ended_at else None,
                "acknowledged": i.acknowledged_at is not None,
            }
            for i in Incident.objects.filter(camera=camera).overlapping(start, end).order_by("started_at")
        ],
    }
