"""The one place where looking at live or recorded video is written to the audit log.

Every view that returns video, pictures or playlists is a footage view (`@footage_view`): it is
registered here, and it may not answer with footage without having noted the viewing (an unnoted answer
is refused: no look without a trace). Viewing is coalesced per person, camera and contiguous range:
the player's reloads and the segments inside the range being watched are the same viewing; a second,
separate range is a second entry.
"""

import functools
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from audit.choices import AuditAction
from audit.services import record
from cameras.models import Camera
from recordings.querysets import CONTIGUOUS

logger = logging.getLogger(__name__)

_ACTIONS = {
    "live": AuditAction.LIVE_VIEW,
    "snapshot": AuditAction.LIVE_VIEW,
    "playback": AuditAction.PLAYBACK,
    "segment": AuditAction.PLAYBACK,
    "clip": AuditAction.CLIP_DOWNLOAD,
}
# Kinds that fetch a piece of what a playlist already showed: inside any range being watched, of any
# kind (a live player's segments are inside its live range), they are that viewing.
_PIECES = {"segment"}
# A range not touched for this long is over: looking at it again is a new viewing.
SESSION_WINDOW_S = 15 * 60
# How far apart two ranges may be and still be one viewing: recorded footage must join up (seeking
# elsewhere is another look); live pictures move on by themselves (snapshots refresh every 30 s).
_JOIN = {AuditAction.PLAYBACK: CONTIGUOUS, AuditAction.LIVE_VIEW: timedelta(minutes=2)}
_MAX_RANGES = 50  # per camera in a session: the oldest are forgotten (then noted again if looked at)

# Every footage view, by its URL-resolvable function: tests check that none is left unmarked.
FOOTAGE_VIEWS: set[Callable[..., Any]] = set()


class UnauditedFootage(RuntimeError):
    """A footage view answered with footage without noting the viewing: a programming error."""


def footage_view(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark and register a view that returns video, pictures or playlists. A successful answer must have
    passed note_viewing; otherwise it is refused, as the look would leave no trace."""

    def checked(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if response.status_code < 400 and not getattr(request, "_footage_noted", False):
            logger.error("%s answered with footage without an audit entry", view.__qualname__)
            raise UnauditedFootage(f"{view.__qualname__} did not note the viewing")
        return response

    if iscoroutinefunction(view):

        @functools.wraps(view)
        async def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return checked(request, await view(request, *args, **kwargs))

        markcoroutinefunction(audited)
    else:

        @functools.wraps(view)
        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return checked(request, view(request, *args, **kwargs))

    audited.footage_view = True  # type: ignore[attr-defined]
    FOOTAGE_VIEWS.add(audited)
    return audited


def _ms(instant: datetime) -> int:
    return round(instant.timestamp() * 1000)


def note_viewing(
    request: HttpRequest,
    camera: Camera,
    kind: str,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    **detail: object,
) -> None:
    """Record that request.user looked at `camera`'s footage from `start` to `end` (kind: live, snapshot,
    playback, segment, clip), with the client's address. One entry per person, camera and contiguous
    range being watched; every clip download is its own entry."""
    request._footage_noted = True  # type: ignore[attr-defined]
    action = _ACTIONS[kind]
    if start is None or end is None:
        start = end = timezone.now()
    if (
        action != AuditAction.CLIP_DOWNLOAD
        and hasattr(request, "session")
        and _same_viewing(request, camera, kind, start, end)
    ):
        return
    details = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in detail.items()}
    record(
        action=action,
        request=request,
        camera=camera,
        details={
            "kind": kind,
            "start": start.astimezone(UTC).isoformat(),
            "end": end.astimezone(UTC).isoformat(),
            **details,
        },
    )


def _same_viewing(request: HttpRequest, camera: Camera, kind: str, start: datetime, end: datetime) -> bool:
    """Whether [start, end] joins a range this person is watching of this camera (which then grows to
    cover it); otherwise the range is remembered as a new viewing and False is returned."""
    action = _ACTIONS[kind]
    key = f"audit-viewing:{camera.pk}"
    now = time.time()
    # [action, start ms, end ms, last touched (epoch s)]
    ranges = [r for r in request.session.get(key, []) if now - r[3] < SESSION_WINDOW_S]
    low, high = _ms(start), _ms(end)
    for r in ranges:
        if kind in _PIECES:
            # A playlist lists the segments overlapping its range: overlapping is inside.
            slack = _ms_of(CONTIGUOUS)
            joins = low < r[2] + slack and high > r[1] - slack
        else:
            slack = _ms_of(_JOIN.get(action, CONTIGUOUS))
            joins = r[0] == action and low <= r[2] + slack and high >= r[1] - slack
        if joins:
            r[1], r[2], r[3] = min(r[1], low), max(r[2], high), now
            request.session[key] = ranges
            return True
    ranges.append([str(action), low, high, now])
    request.session[key] = ranges[-_MAX_RANGES:]
    return False


def _ms_of(span: timedelta) -> int:
    return round(span.total_seconds() * 1000)
