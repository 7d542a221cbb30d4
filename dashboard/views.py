"""Dashboard pages: overview, map, live view, playback and synchronised playback. Thin views only."""

from collections import Counter
from datetime import date, datetime
from itertools import groupby
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.decorators import staff_page
from birzai_vms import localtime, params
from cameras.choices import CameraState
from cameras.events import status_payload
from cameras.models import Camera
from eldership.models import Eldership
from recordings.models import Segment

from . import process_watch
from .texts import render_status, system_alarms

MAX_SYNC = 4
BASEMAP = "vendor/world-atlas/2.0.2/baltic-region.geojson"
SPEEDS = [1, 2, 4, 8, 16]


def js_strings() -> dict[str, str]:
    """Texts the page scripts show, translated on the server."""
    return {
        **{state.value: str(state.label) for state in CameraState},
        "connected": _("Live status connected"),
        "disconnected": _("Live status disconnected: reconnecting…"),
        "stale": _("No recorder is reporting for this camera."),
        "seconds_ago": _("%(n)s s ago"),
        "minutes_ago": _("%(n)s min ago"),
        "hours_ago": _("%(n)s h ago"),
        "never": _("never"),
        "error_codec": _("This camera's video format cannot be played in this browser."),
        "error_network": _("The connection to the server was lost. Check the network; the player keeps trying."),
        "error_missing": _("This footage is missing or has been deleted."),
        "error_busy": _("The server is busy preparing the video. The player tries again in a moment."),
        "error_forbidden": _("You may not see this camera's footage."),
        "error_unknown": _("The video cannot be played. Reload the page to try again."),
        "not_recorded_yet": _("This camera has not recorded anything yet."),
        "no_footage_here": _("No footage at this moment; playing from the next recording."),
        "no_footage_window": _("There is no footage of this camera around this time."),
        "loading": _("Loading…"),
        "delay": _("Delay %(n)s s"),
        "recorded": _("Recorded"),
        "gap": _("Gap"),
        "incident": _("Incident"),
        "latvia": _("Latvia"),
        "lithuania": _("Lithuania"),
    }


def with_banner(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    """The context with the system banner (dashboard/_system_alarms.html): the conditions of the Celery
    processes and the open system-wide alarms, in the page's language. Every page that shows live status
    takes it from here."""
    alarms = system_alarms(request.user, get_language(), process_watch.watch.shown())
    return {**context, "system_alarms": alarms}


def not_visible(request: HttpRequest) -> HttpResponse:
    message = _("This camera does not exist or you may not see it.")
    return render(request, "message.html", {"message": message}, status=404)


def _visible(request: HttpRequest) -> Any:
    """The cameras in service this user may see: what overview, map and live views list."""
    return Camera.objects.visible_to(request.user).in_service().with_status()


def _playable(request: HttpRequest) -> Any:
    """Also decommissioned cameras: their footage plays until retention removes it."""
    return Camera.objects.visible_to(request.user).with_status()


@staff_page
def overview(request: HttpRequest) -> HttpResponse:
    cameras = list(_visible(request).order_by("eldership__name", "name"))
    now = timezone.now()
    groups = [(eldership, list(items)) for eldership, items in groupby(cameras, key=lambda c: c.eldership)]
    language = get_language()
    context = {
        "groups": groups,
        "statuses": [render_status(status_payload(c, now), language) for c in cameras],
        "strings": js_strings(),
        "camera_count": len(cameras),
    }
    return render(request, "dashboard/overview.html", with_banner(request, context))


@staff_page
def camera_map(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    cameras = [c for c in _visible(request) if c.latitude is not None and c.longitude is not None]
    labels = {state.value: str(state.label) for state in CameraState}
    markers = []
    for c in cameras:
        state = str(status_payload(c, now)["state"])
        markers.append(
            {
                "id": c.pk,
                "name": c.name,
                "eldership": c.eldership.name,
                "lat": float(c.latitude),
                "lon": float(c.longitude),
                "state": state,
                "state_label": labels.get(state, state),
            }
        )
    counts = Counter(m["state"] for m in markers)
    legend = [{"state": s.value, "label": str(s.label), "count": counts.get(s.value, 0)} for s in CameraState]
    config = {
        "tiles": settings.MAP_TILE_URL,
        "attribution": settings.MAP_TILE_ATTRIBUTION,
        # Without a tile server: country borders shipped with the project (scripts/vendor-static.sh).
        "basemap": "" if settings.MAP_TILE_URL else static(BASEMAP),
        "basemap_attribution": "Natural Earth",
        "elderships": [
            {"name": e.name, "lat": float(e.centre_latitude), "lon": float(e.centre_longitude)}
            for e in Eldership.objects.order_by("name")
        ],
    }
    context = {"markers": markers, "legend": legend, "map_config": config, "strings": js_strings()}
    return render(request, "dashboard/map.html", with_banner(request, context))


@staff_page
def live(request: HttpRequest, pk: int) -> HttpResponse:
    camera = _visible(request).filter(pk=pk).first()
    if camera is None:
        return not_visible(request)
    context = {"cameras": [camera], "single": True, "strings": js_strings()}
    return render(request, "dashboard/live.html", with_banner(request, context))


def _selected_cameras(
    request: HttpRequest, limit: int, visible: Any
) -> tuple[list[Camera], Eldership | None, str, int]:
    """Cameras named by ?cameras=1,2 (or ?eldership=<id>) among `visible`, at most `limit` (unnamed: the
    first cameras in service); with the message and HTTP status to answer when the request cannot be served."""
    eldership = None
    if code := request.GET.get("eldership"):
        eldership = Eldership.objects.filter(pk=code).first() if params.is_id(code) else None
        if eldership is None:
            return [], None, _("There is no such eldership."), 400
        visible = visible.in_eldership(eldership)
    try:
        ids = params.parse_id_list(request.GET.get("cameras", ""))
    except ValueError as exc:
        return [], eldership, str(exc), 400
    if ids:
        if len(ids) > limit:
            return [], eldership, _("Choose at most %(limit)s cameras.") % {"limit": limit}, 400
        chosen = {c.pk: c for c in visible.filter(pk__in=ids)}
        if len(chosen) != len(ids):
            return [], eldership, _("This camera does not exist or you may not see it."), 404
        return [chosen[pk] for pk in ids], eldership, "", 200
    return list(visible.in_service()[:limit]), eldership, "", 200


@staff_page
def live_grid(request: HttpRequest) -> HttpResponse:
    cameras, eldership, error, status = _selected_cameras(request, limit=9, visible=_visible(request))
    context = {
        "cameras": cameras,
        "eldership": eldership,
        "error": error,
        "elderships": Eldership.objects.filter(cameras__in=_visible(request)).distinct(),
        "strings": js_strings(),
    }
    return render(request, "dashboard/live.html", with_banner(request, context), status=status)


def _target(request: HttpRequest) -> tuple[date, datetime | None, dict[str, Any]]:
    """The requested Vilnius day and instant, or the error to show (never an exception)."""
    problem: dict[str, Any] = {}
    today = localtime.local(timezone.now()).date()
    try:
        day = localtime.parse_date(request.GET.get("date")) if request.GET.get("date") else today
    except localtime.LocalTimeError as exc:
        return today, None, {"error": str(exc)}
    if not request.GET.get("time"):
        return day, None, problem
    fold = request.GET.get("fold")
    try:
        at = localtime.parse_time(request.GET.get("time"))
        instant = localtime.to_utc(day, at, fold=int(fold) if fold in {"0", "1"} else None)
    except localtime.Ambiguous as exc:
        return day, None, {"error": str(exc), "ambiguous": exc}
    except localtime.LocalTimeError as exc:
        return day, None, {"error": str(exc)}
    return day, instant, problem


def _footage_note(cameras: list[Camera], day: date) -> str:
    start, end = localtime.day_bounds(day)
    if not Segment.objects.filter(camera__in=cameras).overlapping(start, end).exists():
        return _("There is no footage on %(date)s.") % {"date": day.isoformat()}
    return ""


def _playback_context(request: HttpRequest, cameras: list[Camera]) -> dict[str, Any]:
    day, instant, problem = _target(request)
    ambiguous = problem.get("ambiguous")
    return {
        "cameras": cameras,
        "day": day,
        "previous_day": localtime.neighbour_day(day, -1),
        "next_day": localtime.neighbour_day(day, 1),
        "time_value": request.GET.get("time", ""),
        "error": problem.get("error", ""),
        "ambiguous_choices": [("0", "EEST (UTC+3)"), ("1", "EET (UTC+2)")] if ambiguous else [],
        "notice": "" if problem else _footage_note(cameras, day),
        "player_config": {
            "cameras": [{"id": c.pk, "name": c.name} for c in cameras],
            "date": day.isoformat(),
            "target_ms": round(instant.timestamp() * 1000) if instant else None,
        },
        "speeds": SPEEDS,
        "strings": js_strings(),
        # A date or time that cannot be read is a bad request; an ambiguous one is a question to answer.
        "status": 400 if problem and not ambiguous else 200,
    }


@staff_page
def playback(request: HttpRequest, pk: int) -> HttpResponse:
    camera = _playable(request).filter(pk=pk).first()
    if camera is None:
        return not_visible(request)
    context = _playback_context(request, [camera])
    context["camera"] = camera
    status = context.pop("status")
    return render(request, "dashboard/playback.html", with_banner(request, context), status=status)


@staff_page
def sync_playback(request: HttpRequest) -> HttpResponse:
    cameras, eldership, error, status = _selected_cameras(request, limit=MAX_SYNC, visible=_playable(request))
    if not error and cameras and not request.GET.get("cameras"):
        # Nothing chosen: the cameras of one eldership (the first), not a mix the page would refuse.
        eldership = eldership or cameras[0].eldership
        cameras = [c for c in cameras if c.eldership_id == eldership.pk]
    if not error and len({c.eldership_id for c in cameras}) > 1:
        error, status = _("Synchronised playback shows cameras of one eldership."), 400
    context = _playback_context(request, [] if error else cameras)
    status = status if error else context.pop("status")
    context.update(
        {
            "error": error or context["error"],
            "eldership": eldership,
            "elderships": Eldership.objects.filter(cameras__in=_visible(request)).distinct(),
            "all_cameras": _visible(request).in_eldership(eldership) if eldership else [],
            "chosen_ids": [c.pk for c in cameras],
        }
    )
    return render(request, "dashboard/sync.html", with_banner(request, context), status=status)
