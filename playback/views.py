"""Playback endpoints: playlists, segment files, timeline, snapshot and clips (exports); viewing is behind
`visible_to`, clips behind `restrict(user, "export")`."""

import functools
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from asgiref.sync import sync_to_async
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit.choices import AuditAction
from audit.services import record
from birzai_vms import localtime
from cameras.models import Camera
from exports.choices import ExportKind, ExportState
from exports.models import Export
from exports.services import start_export
from exports.views import package_response
from recordings.capture import storage
from recordings.models import Segment

from . import media, playlists, renditions, services
from .audit import footage_view, note_viewing

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"
MAX_PLAYLIST_RANGE = timedelta(hours=25)
MAX_CLIP_RANGE = timedelta(minutes=15)
CONTAINER_TYPES = {".ts": "video/mp2t", ".mkv": "video/x-matroska"}
RENDITION_RETRY_AFTER_S = 2
MEDIA_SEQUENCE_NUMBER = re.compile(r"[0-9]{1,18}")
# How long a blocking live playlist request waits for the next segment (hls.js gives up after 10 s).
LIVE_BLOCK_SECONDS = 8.0


def visible_camera(request: HttpRequest, pk: int) -> Camera:
    """The camera, if this user may see it; otherwise 404 (its existence is not revealed)."""
    return get_object_or_404(Camera.objects.visible_to(request.user).select_related("eldership"), pk=pk)


def exportable_camera(request: HttpRequest, pk: int) -> Camera | None:
    """The camera, if this user may export clips of it (the role's `export` action, then the scope); a camera
    out of scope is a 404 as for viewing; None when the user sees it but their role may not export."""
    camera = visible_camera(request, pk)
    return camera if Camera.objects.restrict(request.user, "export").filter(pk=camera.pk).exists() else None


def _export_refused() -> JsonResponse:
    return JsonResponse(
        {"error": _("Your role may not export clips. Ask an administrator if you need it.")}, status=403
    )


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _no_footage() -> JsonResponse:
    return JsonResponse({"error": _("There is no footage of this camera in this range.")}, status=404)


def _requested_range(request: HttpRequest, longest: timedelta, too_long: str) -> tuple[datetime, datetime]:
    """The `start` and `end` parameters; LocalTimeError with a message the user can act on."""
    start = localtime.parse_instant(request.GET.get("start"))
    end = localtime.parse_instant(request.GET.get("end"))
    if not start < end <= start + longest:
        raise localtime.LocalTimeError(too_long)
    return start, end


def _segment_uri(row: playlists.Row) -> str:
    """The segment as recorded; its extension is its container's (.ts MPEG-TS, .mkv Matroska)."""
    # reverse() once per playlist would be fine; once per segment is most of a 24 h playlist's time.
    path = row[3]
    return f"{_prefixes()[0]}{row[0]}{path[path.rfind('.') :]}"


def _uri_for(playable: frozenset[str] | None) -> Callable[[playlists.Row], str]:
    """Segment URIs for a player that plays `playable` codecs (None: it did not say, all as recorded):
    segments of any other codec point to their H.264 rendition."""
    if playable is None:
        return _segment_uri
    rendition_prefix = _prefixes()[1]

    def uri(row: playlists.Row) -> str:
        return _segment_uri(row) if row[4] in playable else f"{rendition_prefix}{row[0]}.ts"

    return uri


@functools.cache
def _prefixes() -> tuple[str, str]:
    return (
        reverse("playback:segment", args=[0]).removesuffix("0.ts"),
        reverse("playback:rendition", args=[0]).removesuffix("0.ts"),
    )


def _playable(request: HttpRequest) -> frozenset[str] | None:
    """The `playable` parameter: the codecs the browser said it decodes, e.g. `h264,hevc`."""
    value = request.GET.get("playable")
    if value is None:
        return None
    names = frozenset(part for part in value.split(",") if part)
    if not names <= renditions.KNOWN_CODECS:
        raise localtime.LocalTimeError(
            _("playable must list codecs among %(codecs)s.") % {"codecs": ", ".join(sorted(renditions.KNOWN_CODECS))}
        )
    return names


@footage_view
@require_GET
def vod_playlist(request: HttpRequest, pk: int) -> HttpResponse:
    camera = visible_camera(request, pk)
    try:
        start, end = _requested_range(
            request, MAX_PLAYLIST_RANGE, _("The range must end after it starts and be at most 25 hours long.")
        )
        playable = _playable(request)
    except localtime.LocalTimeError as exc:
        return _bad_request(str(exc))
    rows = services.segment_rows(camera=camera, start=start, end=end)
    if not rows:
        return _no_footage()
    note_viewing(request, camera, "playback", start=start, end=end)
    return HttpResponse(playlists.vod_playlist(rows, uri=_uri_for(playable)), content_type=PLAYLIST_TYPE)


@footage_view
@require_GET
async def live_playlist(request: HttpRequest, pk: int) -> HttpResponse:
    """The newest segments. A player that asks for the next segment (`_HLS_msn`, a blocking reload of
    LL-HLS) gets its answer the moment that segment is indexed, not at its next poll: seconds of latency."""
    camera = await sync_to_async(visible_camera)(request, pk)
    wanted = request.GET.get("_HLS_msn")
    if wanted is not None and not MEDIA_SEQUENCE_NUMBER.fullmatch(wanted):
        return _bad_request(_("_HLS_msn must be a media sequence number."))
    try:
        playable = _playable(request)
    except localtime.LocalTimeError as exc:
        return _bad_request(str(exc))
    rows, sequence = await sync_to_async(services.live_rows)(camera=camera)
    if not rows:
        return JsonResponse({"error": _("This camera has not recorded anything yet.")}, status=404)
    last = sequence + len(rows) - 1
    if wanted is not None and (next_wanted := int(wanted)) > last:
        if next_wanted > last + 2:
            # What the LL-HLS rules ask: a player this far ahead has a stale idea of the stream.
            return _bad_request(_("_HLS_msn is ahead of the stream."))
        if await services.wait_for_newer(camera=camera, than=rows[-1][1], seconds=LIVE_BLOCK_SECONDS):
            rows, sequence = await sync_to_async(services.live_rows)(camera=camera)
    # Every request is noted: reloads that follow on from the range being watched are the same viewing.
    await sync_to_async(note_viewing)(request, camera, "live", start=rows[0][1], end=rows[-1][2])
    response = HttpResponse(
        playlists.live_playlist(rows, first_sequence=sequence, uri=_uri_for(playable)), content_type=PLAYLIST_TYPE
    )
    response["Cache-Control"] = "no-store"
    return response


def _visible_segment(request: HttpRequest, pk: int) -> Segment:
    return get_object_or_404(Segment.objects.visible_to(request.user).select_related("camera"), pk=pk)


@footage_view
@require_GET
def segment_file(request: HttpRequest, pk: int) -> FileResponse:
    """A segment file as recorded, only through this check: recordings are never a public static path.
    The URL's extension may be either; the answer's type is the file's own container."""
    segment = _visible_segment(request, pk)
    path = storage.segment_file(segment.node, segment.path)
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise Http404(_("This segment is not on this server.")) from exc
    note_viewing(request, segment.camera, "segment", start=segment.start, end=segment.end)
    response = FileResponse(handle, content_type=CONTAINER_TYPES.get(path.suffix, "application/octet-stream"))
    response["Cache-Control"] = "private, max-age=3600"
    return response


@footage_view
@require_GET
async def rendition(request: HttpRequest, pk: int) -> HttpResponse:
    """An H.264 copy of a segment the browser cannot decode, made on first request and cached. Made in a
    worker thread: the transcode (and a wait for a free slot) must not hold up other requests."""
    segment = await sync_to_async(_visible_segment)(request, pk)
    try:
        path = await sync_to_async(renditions.rendition_file, thread_sensitive=False)(segment)
    except renditions.FootageGone as exc:
        return JsonResponse({"error": str(exc)}, status=410)
    except renditions.Busy as exc:
        response = JsonResponse({"error": str(exc)}, status=503)
        response["Retry-After"] = str(RENDITION_RETRY_AFTER_S)
        return response
    except renditions.RenditionError as exc:
        return JsonResponse({"error": str(exc)}, status=422)
    await sync_to_async(note_viewing)(request, segment.camera, "segment", start=segment.start, end=segment.end)
    response = FileResponse(path.open("rb"), content_type="video/mp2t")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def timeline(request: HttpRequest, pk: int) -> JsonResponse:
    camera = visible_camera(request, pk)
    try:
        day = localtime.parse_date(request.GET.get("date"))
    except localtime.LocalTimeError as exc:
        return _bad_request(str(exc))
    return JsonResponse(services.day_timeline(camera=camera, day=day))


@footage_view
@require_GET
def snapshot(request: HttpRequest, pk: int) -> HttpResponse:
    camera = visible_camera(request, pk)
    newest = Segment.objects.of_camera(camera).order_by("-start").first()
    if newest is None:
        raise Http404(_("This camera has not recorded anything yet."))
    try:
        data = media.snapshot_jpeg(newest)
    except media.MediaError as exc:
        raise Http404(str(exc)) from exc
    note_viewing(request, camera, "snapshot", start=newest.start, end=newest.end)
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=10"
    return response


@require_POST
def clip(request: HttpRequest, pk: int) -> JsonResponse:
    """Start a staff clip: an export of kind CLIP (stream copy, the same package as evidence), built by a
    worker, never in this request. The answer says where its progress page and download will be."""
    camera = exportable_camera(request, pk)
    if camera is None:
        return _export_refused()
    params = request.POST if "start" in request.POST else request.GET
    try:
        start = localtime.parse_instant(params.get("start"))
        end = localtime.parse_instant(params.get("end"))
        if not start < end <= start + MAX_CLIP_RANGE:
            raise localtime.LocalTimeError(_("A clip must end after it starts and be at most 15 minutes long."))
    except localtime.LocalTimeError as exc:
        return _bad_request(str(exc))
    if not services.segment_rows(camera=camera, start=start, end=end):
        return _no_footage()
    export = start_export(kind=ExportKind.CLIP, items=[(camera, start, end)], created_by=request.user)
    record(
        action=AuditAction.EXPORT_CREATED,
        request=request,
        camera=camera,
        target=f"export {export.pk}",
        details={"kind": "clip", "start": start.isoformat(), "end": end.isoformat()},
    )
    status_url = reverse("playback:clip-status", args=[export.pk])
    return JsonResponse(
        {
            "export": export.pk,
            "status_url": status_url,
            "download_url": reverse("playback:clip-download", args=[export.pk]),
            "websocket": f"/ws/exports/{export.pk}/",
        },
        status=202,
        headers={"Location": status_url},
    )


def _own_clip(request: HttpRequest, pk: int) -> Export:
    """The user's own clip export (anyone else's, or a missing one: 404 alike)."""
    if not request.user.is_authenticated:
        raise Http404
    return get_object_or_404(Export.objects.filter(kind=ExportKind.CLIP, created_by=request.user), pk=pk)


@login_required
@require_GET
def clip_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The clip's progress, live over the export's websocket, then its download."""
    export = _own_clip(request, pk)
    item = export.items.select_related("camera").first()
    return render(
        request,
        "playback/clip.html",
        {
            "export": export,
            "item": item,
            "download_url": reverse("playback:clip-download", args=[export.pk]),
            "websocket": f"/ws/exports/{export.pk}/",
            "export_strings": {"states": {value: str(label) for value, label in ExportState.choices}},
        },
    )


@footage_view
@require_GET
def clip_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The clip's package, for the user who made it, while the camera is still theirs to export; every
    download is its own audit entry."""
    export = _own_clip(request, pk)
    if export.state != ExportState.READY:
        return JsonResponse({"error": _("This clip is not ready yet.")}, status=409)
    item = export.items.get()
    camera = exportable_camera(request, item.camera_id)
    if camera is None:
        return _export_refused()
    try:
        response = package_response(export)
    except FileNotFoundError as exc:
        raise Http404(_("This clip is no longer on this server.")) from exc
    note_viewing(request, camera, "clip", start=item.actual_start, end=item.actual_end, export=export.pk)
    return response
