"""Every URL (from the resolver) and every API operation (from the OpenAPI schema) × every role and
anonymous → the expected allow or deny. A route without an expectation here fails the test, so a new
endpoint cannot be forgotten: add it to ROUTES (and, for the API, to OPERATIONS)."""

import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import imageio_ffmpeg
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from alarms.choices import AlarmKind, Severity
from alarms.models import Alarm
from retention.choices import DeletionReason
from retention.models import DeletedRange, Hold
from tests.support.auth import log_in_verified

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "police", "operator", "reviewer", "administrator"]
OK = "ok"  # 2xx, or a redirect that is not to a login or two-factor page
LOGIN = "login"  # redirected to a login page
DENIED = "denied"  # 401, 403 or 404: refused, nothing about the object revealed
ANY = "any"  # whatever the view decides, but never a server error (admin pages of an administrator)

EVERYONE = (OK, OK, OK, OK, OK)
SIGNED_IN = (LOGIN, OK, OK, OK, OK)
SIGNED_IN_API = (DENIED, OK, OK, OK, OK)
STAFF = (LOGIN, DENIED, OK, OK, OK)  # municipal staff: operators (their elderships), reviewers, admins
STAFF_API = (DENIED, DENIED, OK, OK, OK)
STAFF_MEDIA = (DENIED, DENIED, OK, OK, OK)  # video files and playlists: no login page for a player
OVERSIGHT = (LOGIN, DENIED, DENIED, OK, OK)  # the audit log
NO_ONE_API = (DENIED, DENIED, DENIED, DENIED, DENIED)  # objects that do not exist in this world
RELEASERS_API = (DENIED, DENIED, DENIED, OK, OK)  # releasing a hold: Reviewers and Administrators
ADMIN_SITE = (LOGIN, LOGIN, LOGIN, LOGIN, ANY)

T = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)

# route key (namespace:name, or the route itself when unnamed) -> (method, expectations by role)
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "": ("GET", EVERYONE),  # a redirect to the dashboard, which asks for a login
    "healthz": ("GET", EVERYONE),
    "set_language": ("POST", EVERYONE),
    "accounts:login": ("GET", EVERYONE),
    "accounts:logout": ("POST", EVERYONE),
    "accounts:two_factor": ("GET", SIGNED_IN),
    "audit:list": ("GET", OVERSIGHT),
    "audit:export": ("GET", OVERSIGHT),
    "api-root": ("GET", SIGNED_IN_API),
    "api-token": ("POST", SIGNED_IN_API),  # one's own token; two-factor roles only from a verified session
    "schema": ("GET", SIGNED_IN_API),
    "api-docs": ("GET", SIGNED_IN_API),
    "eldership-list": ("GET", SIGNED_IN_API),
    "eldership-detail": ("GET", SIGNED_IN_API),
    "camera-list": ("GET", STAFF_API),
    "camera-detail": ("GET", STAFF_API),
    "segment-list": ("GET", STAFF_API),
    "segment-detail": ("GET", STAFF_API),
    "gap-list": ("GET", STAFF_API),
    "gap-detail": ("GET", STAFF_API),
    "hold-list": ("GET", STAFF_API),
    "hold-detail": ("GET", STAFF_API),
    "hold-release": ("POST", RELEASERS_API),  # without a reason: 400 once past the access check
    "deletedrange-list": ("GET", STAFF_API),  # 400 without its camera (past the access check)
    "deletedrange-detail": ("GET", STAFF_API),
    "alarm-list": ("GET", STAFF_API),
    "alarm-detail": ("GET", STAFF_API),
    "timeline": ("GET", STAFF_API),
    "storage": ("GET", STAFF_API),
    "dashboard:overview": ("GET", STAFF),
    "dashboard:map": ("GET", STAFF),
    "dashboard:live-grid": ("GET", STAFF),
    "dashboard:sync": ("GET", STAFF),
    "dashboard:logout": ("POST", EVERYONE),
    "dashboard:live": ("GET", STAFF),
    "dashboard:playback": ("GET", STAFF),
    "playback:vod": ("GET", STAFF_MEDIA),
    "playback:live": ("GET", STAFF_MEDIA),
    "playback:timeline": ("GET", STAFF_MEDIA),
    "playback:snapshot": ("GET", STAFF_MEDIA),
    "playback:clip": ("GET", STAFF_MEDIA),
    "playback:segment": ("GET", STAFF_MEDIA),
    "playback:segment-mkv": ("GET", STAFF_MEDIA),
    "playback:rendition": ("GET", STAFF_MEDIA),
}

# OpenAPI operation -> expectations by role (the same as the route's; listed so the schema is checked too)
OPERATIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/api/elderships/"): SIGNED_IN_API,
    ("GET", "/api/elderships/{id}/"): SIGNED_IN_API,
    ("GET", "/api/cameras/"): STAFF_API,
    ("GET", "/api/cameras/{id}/"): STAFF_API,
    ("GET", "/api/segments/"): STAFF_API,
    ("GET", "/api/segments/{id}/"): STAFF_API,
    ("GET", "/api/gaps/"): STAFF_API,
    ("GET", "/api/gaps/{id}/"): STAFF_API,
    ("GET", "/api/holds/"): STAFF_API,
    ("POST", "/api/holds/"): STAFF_API,
    ("GET", "/api/holds/{id}/"): STAFF_API,
    ("POST", "/api/holds/{id}/release/"): RELEASERS_API,
    ("GET", "/api/deleted-ranges/"): STAFF_API,
    ("GET", "/api/deleted-ranges/{id}/"): STAFF_API,
    ("GET", "/api/alarms/"): STAFF_API,
    ("GET", "/api/alarms/{id}/"): STAFF_API,
    ("GET", "/api/timeline/"): STAFF_API,
    ("GET", "/api/storage/"): STAFF_API,
    ("POST", "/api/token/"): SIGNED_IN_API,
    ("DELETE", "/api/token/"): SIGNED_IN_API,
}


def walk(patterns: list, namespace: str = "", prefix: str = "") -> Iterator[tuple[str, str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(filter(None, [namespace, p.namespace])) if p.namespace else namespace
            yield from walk(p.url_patterns, ns, prefix + str(p.pattern))
        else:
            route = prefix + str(p.pattern)
            key = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
            yield key, route, p


def all_routes() -> dict[str, str]:
    """Every named route (format-suffix variants of the API share their view and key)."""
    return {key: route for key, route, _ in walk(get_resolver().url_patterns)}


def outcome(response: object) -> str:
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if re.search(r"/(accounts|admin)/login/|/accounts/two-factor/", location):
            return LOGIN
        return OK
    if status in (401, 403, 404):
        return DENIED
    return OK  # 2xx, or 400/405/...: past the access check, the request itself is judged


@pytest.fixture
def clients(world, recordings_root) -> dict[str, Client]:
    # The in-scope segment's file exists, so that serving it is judged by access alone.
    source = recordings_root / world.pabirze_segment.path
    source.parent.mkdir(parents=True)
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=5"]
        + ["-t", "1", "-c:v", "libx264", "-g", "5", "-f", "mpegts", str(source)],
        check=True,
        timeout=60,
    )
    # A hold, a deleted range and an alarm of the operator's eldership, so that their detail routes are
    # judged by access alone (a hold that also covers another eldership: test_hold_actions_... below).
    world.hold = Hold.objects.create(start=T, end=T + timedelta(hours=1), reason="Matrix")
    world.hold.cameras.set([world.pabirze_camera])
    world.deleted_range = DeletedRange.objects.create(
        camera=world.pabirze_camera,
        start=T,
        end=T + timedelta(minutes=1),
        segment_count=15,
        bytes=1000,
        reason=DeletionReason.RETENTION,
        deleted_at=T,
    )
    world.alarm = Alarm.objects.create(
        kind=AlarmKind.INTEGRITY,
        camera=world.pabirze_camera,
        severity=Severity.WARNING,
        message="Matrix",
        started_at=T,
        updated_at=T,
    )
    result = {"anonymous": Client()}
    for role in ROLES[1:]:
        result[role] = log_in_verified(Client(), world.users[role])
    return result


def concrete(key: str, world) -> str:
    """A URL for the route, naming objects inside the operator's scope (Pabiržė)."""
    ids = {
        "eldership": world.pabirze.pk,
        "camera": world.pabirze_camera.pk,
        "segment": world.pabirze_segment.pk,
        "gap": world.pabirze_gap.pk,
        "hold": world.hold.pk,
        "deletedrange": world.deleted_range.pk,
        "alarm": world.alarm.pk,
        "dashboard:live": world.pabirze_camera.pk,
        "dashboard:playback": world.pabirze_camera.pk,
        "playback:segment": world.pabirze_segment.pk,
        "playback:rendition": world.pabirze_segment.pk,
    }
    pk = (
        ids.get(key)
        or ids.get(key.split("-")[0])
        or (world.pabirze_camera.pk if key.startswith("playback:") else 999999)
    )
    for kwargs in ({}, {"pk": pk}):
        try:
            url = reverse(key, kwargs=kwargs) if key else "/"
            break
        except Exception:
            continue
    if key in {"segment-list", "gap-list"} or (key.endswith("-detail") and key.split("-")[0] in {"segment", "gap"}):
        url += f"?camera={world.pabirze_camera.pk}"
    return url


def test_every_route_has_an_expectation():
    routes = {k for k, route in all_routes().items() if not route.startswith("admin/")}
    missing = sorted(routes - ROUTES.keys())
    assert not missing, f"routes without an access expectation in {__file__}: {missing}"
    assert not sorted(ROUTES.keys() - routes), "expectations for routes that no longer exist"


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_route_allows_and_denies_as_expected(key, world, clients):
    method, expected = ROUTES[key]
    url = concrete(key, world)
    got = {}
    for role, want in zip(ROLES, expected, strict=True):
        response = getattr(clients[role], method.lower())(url)
        got[role] = outcome(response)
        if want == ANY:
            got[role] = ANY
    assert got == dict(zip(ROLES, expected, strict=True)), url


def test_admin_site_is_for_administrators_only(world, clients):
    checked = 0
    for key, route, _ in walk(get_resolver().url_patterns):
        if not route.startswith("admin/") or key in {"admin:login", "admin:logout"}:
            continue
        url = "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: "cameras" if m.group(1) == "app_label" else "999999", route)
        url = url.replace("^", "").replace("$", "")
        if "(?P" in url:
            continue  # regex routes of the admin (the catch-all) are covered by their neighbours
        for role, want in zip(ROLES, ADMIN_SITE, strict=True):
            got = outcome(clients[role].get(url))
            assert want == ANY or got == want, (url, role, got)
        checked += 1
    assert checked > 50


def test_every_openapi_operation_has_an_expectation_and_meets_it(world, clients):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = {(m.upper(), p) for p, ops in schema["paths"].items() for m in ops}
    assert operations == set(OPERATIONS), f"add to OPERATIONS: {sorted(operations - set(OPERATIONS))}"
    ids = {"elderships": world.pabirze.pk, "cameras": world.pabirze_camera.pk}
    ids |= {"segments": world.pabirze_segment.pk, "gaps": world.pabirze_gap.pk}
    ids |= {"holds": world.hold.pk, "deleted-ranges": world.deleted_range.pk, "alarms": world.alarm.pk}
    for method, path in sorted(OPERATIONS):
        resource = path.split("/")[2]
        url = path.replace("{id}", str(ids.get(resource, 999999)))
        if resource in {"segments", "gaps"}:
            url += f"?camera={world.pabirze_camera.pk}"
        for role, want in zip(ROLES, OPERATIONS[(method, path)], strict=True):
            response = getattr(clients[role], method.lower())(url, data={}, content_type="application/json")
            assert outcome(response) == want, (method, url, role, response.status_code)


# What each role may do with a hold (view, add, release), in scope and across elderships: the role's
# permissions decide the action, the scope decides the holds (all of a hold's cameras must be in it).
HOLD_ACTIONS = {
    # role: (view own, view mixed, add own, release own, release mixed)
    "anonymous": (DENIED, DENIED, DENIED, DENIED, DENIED),
    "police": (DENIED, DENIED, DENIED, DENIED, DENIED),
    "operator": (OK, DENIED, OK, DENIED, DENIED),
    "reviewer": (OK, OK, OK, OK, OK),
    "administrator": (OK, OK, OK, OK, OK),
}


def test_hold_actions_follow_the_role_and_the_whole_scope(world, clients):
    mixed = Hold.objects.create(start=T, end=T + timedelta(hours=1), reason="Across elderships")
    mixed.cameras.set([world.pabirze_camera, world.vabalninkas_camera])
    for role, expected in HOLD_ACTIONS.items():
        client = clients[role]
        body = {
            "cameras": [world.pabirze_camera.pk],
            "start": T.isoformat(),
            "end": (T + timedelta(hours=1)).isoformat(),
        }
        got = (
            outcome(client.get(f"/api/holds/{world.hold.pk}/")),
            outcome(client.get(f"/api/holds/{mixed.pk}/")),
            outcome(client.post("/api/holds/", {**body, "reason": role}, content_type="application/json")),
            # Without a reason: 400 for those allowed, so nothing is released by this test.
            outcome(client.post(f"/api/holds/{world.hold.pk}/release/", {}, content_type="application/json")),
            outcome(client.post(f"/api/holds/{mixed.pk}/release/", {}, content_type="application/json")),
        )
        assert got == expected, role
    assert Hold.objects.active().count() == 2 + 3  # the two above, and one added by each staff role
