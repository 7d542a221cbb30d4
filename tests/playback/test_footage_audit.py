"""Every look at footage leaves a trace: each view that returns video, pictures or playlists is a marked
footage view, and answering it writes an audit entry with the camera, the range and the address; entries
are coalesced per person, camera and contiguous range, never dropped."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import OPERATOR
from audit.models import AuditEntry
from exports.choices import ExportKind
from exports.models import Export
from exports.services import start_export
from exports.tasks import build_export
from playback import audit
from tests.factories import CameraFactory
from tests.retention.conftest import integrity_key  # noqa: F401
from tests.support.auth import make_user
from tests.support.footage import HEVC, record_footage

T0 = datetime(2026, 6, 13, 19, 0, tzinfo=UTC)
pytestmark = pytest.mark.django_db
# A URL is a footage URL when it is playback's or names a video, picture or playlist file.
FOOTAGE_SUFFIXES = (".m3u8", ".ts", ".mkv", ".mp4", ".jpg", ".jpeg", ".png")
NOT_FOOTAGE = {
    "playback:timeline": "recorded ranges and gaps as JSON: no picture",
    "playback:clip": "starts an export; the footage leaves with its download (playback:clip-download)",
    "playback:clip-status": "the export's progress page: no picture",
}


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "") -> Iterator[tuple]:
    """(route, name, view) of every URL the project answers."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern).lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name or ""]))
            yield route, name, entry.callback


def is_footage_url(route: str, name: str) -> bool:
    return name.startswith("playback:") or route.endswith(FOOTAGE_SUFFIXES)


@pytest.fixture
def world(client, recordings_root, tmp_path, settings, integrity_key):  # noqa: F811
    settings.RENDITION_CACHE_DIR = tmp_path / "renditions"
    settings.EXPORTS_ROOT = tmp_path / "exports"
    camera = CameraFactory()
    segments = record_footage(camera, HEVC, start=T0, segments=3)
    user = make_user("operator", OPERATOR, elderships=[camera.eldership])
    client.force_login(user)
    return camera, segments, user


def built_clip(camera: object) -> Export:
    """A clip export of the operator's, built here as a worker would."""
    user = get_user_model().objects.get(username="operator")
    export = start_export(kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=user)
    build_export(export.pk)
    return export


def window(start: datetime, seconds: float) -> dict[str, str]:
    return {"start": start.isoformat(), "end": (start + timedelta(seconds=seconds)).isoformat()}


# How each footage view is asked for, with real objects: a new footage view needs its line here.
REQUESTS: dict[str, Callable[..., tuple[str, dict[str, str]]]] = {
    "playback:vod": lambda cam, segs: (f"/playback/cameras/{cam.pk}/vod.m3u8", window(T0, 60)),
    "playback:live": lambda cam, segs: (f"/playback/cameras/{cam.pk}/live.m3u8", {}),
    "playback:snapshot": lambda cam, segs: (f"/playback/cameras/{cam.pk}/snapshot.jpg", {}),
    "playback:clip-download": lambda cam, segs: (f"/playback/clips/{built_clip(cam).pk}/download/", {}),
    "playback:segment": lambda cam, segs: (f"/playback/segments/{segs[0].pk}.ts", {}),
    "playback:segment-mkv": lambda cam, segs: (f"/playback/segments/{segs[0].pk}.mkv", {}),
    "playback:rendition": lambda cam, segs: (f"/playback/renditions/{segs[0].pk}.ts", {}),
}


def test_every_view_that_returns_footage_is_marked_as_a_footage_view():
    found = [(route, name, view) for route, name, view in url_patterns() if is_footage_url(route, name)]
    assert found, "no playback URL found: the enumeration is broken"
    unmarked = [
        f"{name or route} ({view.__module__}.{view.__qualname__})"
        for route, name, view in found
        if name not in NOT_FOOTAGE and not getattr(view, "footage_view", False)
    ]
    assert unmarked == [], "footage views that leave no audit trace"
    marked = {name for _, name, view in url_patterns() if getattr(view, "footage_view", False)}
    assert marked == set(REQUESTS), "every footage view needs a request in REQUESTS below"


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_each_footage_view_writes_an_entry_with_camera_range_and_address(client, world, name):
    camera, segments, user = world
    url, params = REQUESTS[name](camera, segments)
    response = client.get(url, params, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 200, (url, response.content[:200])
    entry = AuditEntry.objects.get(camera=camera)
    assert entry.user == user and entry.ip_address == "10.20.30.40"
    start, end = datetime.fromisoformat(entry.details["start"]), datetime.fromisoformat(entry.details["end"])
    # The range is footage's time, not the time of the request.
    assert end >= T0 and start < T0 + timedelta(minutes=1), entry.details


def test_two_ranges_viewed_are_two_entries_and_reloads_inside_one_are_none(client, world):
    camera, segments, _ = world
    vod = f"/playback/cameras/{camera.pk}/vod.m3u8"
    assert client.get(vod, window(T0, 60)).status_code == 200
    assert client.get(vod, window(T0, 60)).status_code == 200  # the player reloads
    for segment in segments:  # and plays what it listed
        assert client.get(f"/playback/segments/{segment.pk}.ts").status_code == 200
        assert client.get(f"/playback/renditions/{segment.pk}.ts").status_code == 200
    assert AuditEntry.objects.filter(camera=camera).count() == 1
    # A second range, not joining the first: a second entry, even within minutes.
    later = T0 - timedelta(hours=2)
    record_footage(camera, HEVC, start=later, segments=1)
    assert client.get(vod, window(later, 60)).status_code == 200
    entries = list(AuditEntry.objects.filter(camera=camera).order_by("seq"))
    assert [(e.action, e.details["start"]) for e in entries] == [
        ("playback", T0.isoformat()),
        ("playback", later.isoformat()),
    ]
    # And a third: back to where it started is still one viewing with the first.
    client.get(vod, window(T0 + timedelta(seconds=30), 60))
    assert AuditEntry.objects.filter(camera=camera).count() == 2


def test_a_direct_segment_fetch_is_an_entry_of_its_own(client, world):
    camera, segments, _ = world
    assert client.get(f"/playback/segments/{segments[1].pk}.ts").status_code == 200
    entry = AuditEntry.objects.get(camera=camera)
    assert entry.action == "playback" and entry.details["kind"] == "segment"
    assert entry.details["start"] == segments[1].start.isoformat()
    # The next segment follows on: the same look.
    client.get(f"/playback/segments/{segments[2].pk}.ts")
    assert AuditEntry.objects.filter(camera=camera).count() == 1


def test_every_live_playlist_request_counts_but_reloads_are_one_viewing(client, world):
    camera, segments, _ = world
    for _ in range(3):
        assert client.get(f"/playback/cameras/{camera.pk}/live.m3u8").status_code == 200
    client.get(f"/playback/segments/{segments[-1].pk}.ts")
    entry = AuditEntry.objects.get(camera=camera)
    assert entry.action == "live_view"
    assert entry.details["start"] == segments[0].start.isoformat()


def test_another_person_watching_the_same_range_is_another_entry(client, world):
    camera, _, _ = world
    vod = f"/playback/cameras/{camera.pk}/vod.m3u8"
    client.get(vod, window(T0, 60))
    client.force_login(make_user("colleague", OPERATOR, elderships=[camera.eldership]))
    client.get(vod, window(T0, 60))
    assert sorted(AuditEntry.objects.filter(camera=camera).values_list("username", flat=True)) == [
        "colleague",
        "operator",
    ]


def test_a_footage_view_that_forgets_to_note_the_viewing_is_refused():
    @audit.footage_view
    def leaky(request):
        return HttpResponse(b"video", content_type="video/mp2t")

    with pytest.raises(audit.UnauditedFootage):
        leaky(RequestFactory().get("/"))
    audit.FOOTAGE_VIEWS.discard(leaky)
