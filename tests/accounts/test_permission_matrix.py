"""Every URL (from the resolver) and every API operation (from the OpenAPI schema) × every role and
anonymous → the expected allow or deny. A route without an expectation here fails the test, so a new
endpoint cannot be forgotten: add it to ROUTES (and, for the API, to OPERATIONS)."""

import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from drf_spectacular.generators import SchemaGenerator

from accounts.roles import OPERATOR
from birzai_vms.localtime import local as local_time
from cameras.models import Camera
from exports.choices import ExportKind, ExportState
from exports.models import Export, ExportItem
from exports.paths import export_dir
from incidents.choices import IncidentKind
from incidents.models import Incident
from recordings.models import Gap
from retention.models import Hold
from tests.disclosures.support import made_request
from tests.factories import AlarmFactory, DeletedRangeFactory
from tests.support.auth import log_in_verified, make_user
from tests.support.footage import H264, SEGMENT_SECONDS, record_footage

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
# Footage requests (disclosures/): police ask and see their own, reviewers decide, administrators look on.
REQUESTS = (LOGIN, OK, DENIED, OK, OK)
REQUESTS_API = (DENIED, OK, DENIED, OK, OK)
REQUESTER = (LOGIN, OK, DENIED, DENIED, DENIED)  # the form, withdrawing, downloading: the requester only
REQUESTER_API = (DENIED, OK, DENIED, DENIED, DENIED)
DECIDER = (LOGIN, DENIED, DENIED, OK, DENIED)  # review, extend a hold, retry an export: reviewers
DECIDER_API = (DENIED, DENIED, DENIED, OK, DENIED)
OWN_CLIP = (LOGIN, DENIED, OK, DENIED, DENIED)  # a clip export's page: only who made it (the operator here)
OWN_CLIP_MEDIA = (DENIED, DENIED, OK, DENIED, DENIED)  # and its download

T = datetime(2026, 11, 20, 20, 0, tzinfo=UTC)

# route key (namespace:name, or the route itself when unnamed) -> (method, expectations by role)
ROUTES: dict[str, tuple[str, tuple[str, ...]]] = {
    "": ("GET", EVERYONE),  # a redirect to the dashboard, which asks for a login
    "healthz": ("GET", EVERYONE),
    "readyz": ("GET", EVERYONE),  # no login: probes carry none; the answer names no camera
    # Guarded by address, not role: the test client is 127.0.0.1 (tests/health/test_metrics.py refuses others).
    "metrics": ("GET", EVERYONE),
    "set_language": ("POST", EVERYONE),
    "accounts:login": ("GET", EVERYONE),
    "accounts:logout": ("POST", EVERYONE),
    "accounts:two_factor": ("GET", SIGNED_IN),
    "accounts:account": ("GET", SIGNED_IN),
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
    "incident-list": ("GET", STAFF_API),
    "incident-detail": ("GET", STAFF_API),
    "incident-acknowledge": ("POST", STAFF_API),
    "incidents:list": ("GET", STAFF),
    "incidents:detail": ("GET", STAFF),
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
    "playback:clip": ("POST", STAFF_MEDIA),  # starts an export (202): the camera's `export` action, staff roles
    "playback:clip-status": ("GET", OWN_CLIP),
    "playback:clip-download": ("GET", OWN_CLIP_MEDIA),
    # Public: anyone holding a package may check it against the published key.
    "exports:public-key": ("GET", EVERYONE),
    "exports:key": ("GET", EVERYONE),
    "exports:verify": ("GET", EVERYONE),
    "playback:segment": ("GET", STAFF_MEDIA),
    "playback:segment-mkv": ("GET", STAFF_MEDIA),
    "playback:rendition": ("GET", STAFF_MEDIA),
    "reports:uptime": ("GET", STAFF),
    "reports:uptime-csv": ("GET", STAFF),
    "reports:uptime-pdf": ("GET", STAFF),
    "reports:register": ("GET", EVERYONE),  # published: what each camera watches and why
    "reports:register-csv": ("GET", EVERYONE),
    "disclosurerequest-list": ("GET", REQUESTS_API),
    "disclosurerequest-detail": ("GET", REQUESTS_API),
    "disclosurerequest-coverage": ("GET", REQUESTER_API),
    "disclosurerequest-download": ("GET", REQUESTER_API),
    "disclosurerequest-review": ("POST", DECIDER_API),  # a decided request: 400 once past the access check
    "disclosurerequest-withdraw": ("POST", REQUESTER_API),
    "disclosures:list": ("GET", REQUESTS),
    "disclosures:new": ("GET", REQUESTER),
    "disclosures:detail": ("GET", REQUESTS),
    "disclosures:download": ("GET", REQUESTER),
    "disclosures:review": ("POST", DECIDER),  # decided already: back to the request page with the message
    "disclosures:withdraw": ("POST", REQUESTER),
    "disclosures:extend": ("POST", DECIDER),
    "disclosures:retry": ("POST", DECIDER),
    "disclosures:set-password": ("GET", EVERYONE),  # a bad link: the page says so
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
    ("GET", "/api/incidents/"): STAFF_API,
    ("GET", "/api/incidents/{id}/"): STAFF_API,
    ("POST", "/api/incidents/{id}/acknowledge/"): STAFF_API,
    ("GET", "/api/timeline/"): STAFF_API,
    ("GET", "/api/storage/"): STAFF_API,
    ("POST", "/api/token/"): SIGNED_IN_API,
    ("DELETE", "/api/token/"): SIGNED_IN_API,
    ("GET", "/api/requests/"): REQUESTS_API,
    ("POST", "/api/requests/"): REQUESTER_API,
    ("GET", "/api/requests/{id}/"): REQUESTS_API,
    ("GET", "/api/requests/coverage/"): REQUESTER_API,
    ("GET", "/api/requests/{id}/download/"): REQUESTER_API,
    ("POST", "/api/requests/{id}/review/"): DECIDER_API,
    ("POST", "/api/requests/{id}/withdraw/"): REQUESTER_API,
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
    """What the answer means. Only a 2xx, or a redirect elsewhere than a login page, is an allowance: a 400
    or a 410 says nothing about access (the request was judged, or the object missing), so a cell that
    expects OK and gets one fails."""
    status = response.status_code
    assert status < 500, f"server error {status}"
    if status in (301, 302, 303, 307, 308):
        location = response["Location"]
        if re.search(r"/(accounts|admin)/login/|/accounts/two-factor/", location):
            return LOGIN
        return OK
    if status in (401, 403, 404):
        return DENIED
    if 200 <= status < 300:
        return OK
    return f"neither allowed nor refused: {status}"


# The footage of the world: real segment files of each camera, so that every media route can answer 2xx.
FOOTAGE_START = T + timedelta(hours=1)
SEGMENT_COUNT = 2
FOOTAGE_END = FOOTAGE_START + timedelta(seconds=SEGMENT_SECONDS * SEGMENT_COUNT)
MISSING = 999999

# Which object a route names (in its path, or as its ?camera=): the kind of world.objects[scope][kind].
NAMED: dict[str, str] = {
    "eldership-detail": "eldership",
    "camera-detail": "camera",
    "segment-list": "camera",
    "segment-detail": "segment",
    "gap-list": "camera",
    "gap-detail": "gap",
    "hold-detail": "hold",
    "hold-release": "hold",
    "deletedrange-list": "camera",
    "deletedrange-detail": "deletedrange",
    "alarm-detail": "alarm",
    "incident-detail": "incident",
    "incident-acknowledge": "incident",
    "incidents:detail": "incident",
    "timeline": "camera",
    "dashboard:sync": "eldership",
    "dashboard:live": "camera",
    "dashboard:playback": "camera",
    "playback:vod": "camera",
    "playback:live": "camera",
    "playback:timeline": "camera",
    "playback:snapshot": "camera",
    "playback:clip": "camera",
    "playback:clip-status": "export",
    "playback:clip-download": "export",
    "playback:segment": "segment",
    "playback:segment-mkv": "segment",
    "playback:rendition": "segment",
    "disclosurerequest-coverage": "camera",
    "disclosurerequest-detail": "request",
    "disclosurerequest-download": "request",
    "disclosurerequest-review": "request",
    "disclosurerequest-withdraw": "request",
    "disclosures:detail": "request",
    "disclosures:download": "request",
    "disclosures:review": "request",
    "disclosures:withdraw": "request",
    "disclosures:extend": "request",
    "disclosures:retry": "request",
}
# Routes that name their object in the query (?camera=, ?eldership=) rather than the path.
BY_QUERY = {"segment-list", "gap-list", "deletedrange-list", "timeline", "dashboard:sync", "disclosurerequest-coverage"}
UNSCOPED = {"eldership-detail", "dashboard:sync"}  # every signed-in user sees every eldership
FOOTAGE_RANGE = {"start": FOOTAGE_START.isoformat(), "end": FOOTAGE_END.isoformat()}
QUERIES: dict[str, dict[str, str]] = {
    "deletedrange-list": {},
    "timeline": FOOTAGE_RANGE,
    "playback:vod": FOOTAGE_RANGE,
    "playback:timeline": {"date": "2026-11-20"},
    # Vilnius wall times of the footage (a request's times are local).
    "disclosurerequest-coverage": {
        "start": f"{local_time(FOOTAGE_START):%Y-%m-%dT%H:%M:%S}",
        "end": f"{local_time(FOOTAGE_END):%Y-%m-%dT%H:%M:%S}",
    },
}
# Routes whose URL takes other arguments than a pk.
ARGS: dict[str, list[str]] = {"disclosures:set-password": ["MQ", "set-password"]}
# What the POST routes are sent: a request that succeeds when access allows it.
BODIES: dict[str, dict[str, str]] = {
    "set_language": {"language": "en", "next": "/"},
    "hold-release": {"reason": "Matrix"},
    "disclosurerequest-review": {"decision": "reject", "reason": "Matrix"},
    "disclosurerequest-withdraw": {"reason": "Matrix"},
    "playback:clip": {"start": FOOTAGE_START.isoformat(), "end": (FOOTAGE_START + timedelta(seconds=3)).isoformat()},
    "incident-acknowledge": {"note": "Matrix"},
}


# The routes whose allowance is a redirect, and where to (any other redirect is not an allowance).
REDIRECTS: dict[str | tuple[str, str], str] = {
    "": "/dashboard/",
    "dashboard:logout": "/dashboard/",
    "set_language": "/",
}
REDIRECTS[("", "police")] = "/requests/"  # police browse no cameras: the front page is their requests
REDIRECTS |= {f"disclosures:{name}": "/requests/{pk}/" for name in ("review", "withdraw", "extend", "retry")}


def make_hold(camera: object, reason: str = "Matrix") -> Hold:
    hold = Hold.objects.create(start=T, end=T + timedelta(hours=1), reason=reason)
    hold.cameras.set([camera])
    return hold


def ready_clip(camera: object, user: object) -> Export:
    """A READY clip export of `user`'s with a package file (its content does not matter to access)."""
    export = Export.objects.create(
        kind=ExportKind.CLIP, state=ExportState.READY, created_by=user, progress=1.0, package_name="clip.zip"
    )
    ExportItem.objects.create(
        export=export,
        camera=camera,
        requested_start=FOOTAGE_START,
        requested_end=FOOTAGE_END,
        actual_start=FOOTAGE_START,
        actual_end=FOOTAGE_END,
    )
    export_dir(export.pk).mkdir(parents=True)
    with zipfile.ZipFile(export_dir(export.pk) / "clip.zip", "w") as archive:
        archive.writestr("manifest.json", "{}")
    return export


def scoped_objects(world, camera: object, owner: object) -> dict[str, object]:
    """One real object of every kind, all of `camera`'s eldership (a clip export made by `owner`)."""
    segments = record_footage(camera, H264, start=FOOTAGE_START, segments=SEGMENT_COUNT)
    return {
        "export": ready_clip(camera, owner),
        "eldership": camera.eldership,
        "camera": camera,
        "segment": segments[0],
        "gap": Gap.objects.get(camera=camera),
        "hold": make_hold(camera),
        "deletedrange": DeletedRangeFactory(camera=camera, start=T),
        "alarm": AlarmFactory(camera=camera, params={"path": "Matrix"}, started_at=T),
        # The police user's request, approved, its package ready.
        "request": made_request(
            camera, world.users["police"], FOOTAGE_START, FOOTAGE_END, reviewer=world.users["reviewer"]
        ),
        "incident": Incident.objects.create(camera=camera, kind=IncidentKind.OFFLINE, started_at=T),
    }


@pytest.fixture
def clients(world, recordings_root, settings, tmp_path) -> dict[str, Client]:
    settings.RENDITION_CACHE_DIR = tmp_path / "renditions"
    settings.EXPORTS_ROOT = tmp_path / "exports"
    # Every route that names an object gets a real one: in the operator's eldership (Pabiržė), and out of it
    # (Vabalninkas), so that no refusal in this matrix is a missing id and no allowance a lucky one.
    world.objects = {
        "in": scoped_objects(world, world.pabirze_camera, world.users["operator"]),
        # The other eldership's clip is a colleague's there: nobody in the matrix made it.
        "out": scoped_objects(world, world.vabalninkas_camera, make_user("vabalninkas-operator")),
    }
    world.hold = world.objects["in"]["hold"]
    result = {"anonymous": Client()}
    for role in ROLES[1:]:
        result[role] = log_in_verified(Client(), world.users[role])
    return result


def named(key: str, world, scope: str) -> object | None:
    """The object the route names, or None for a missing id (scope "missing")."""
    if key not in NAMED or scope == "missing":
        return None
    if key == "hold-release":
        # Released by whoever may: each request releases a fresh hold, so that the next role's is not a 400.
        return make_hold(world.objects[scope]["camera"])
    if key in {"disclosurerequest-review", "disclosurerequest-withdraw"}:
        # A waiting request each time: a decided one answers 400.
        return made_request(world.objects[scope]["camera"], world.users["police"], FOOTAGE_START, FOOTAGE_END)
    return world.objects[scope][NAMED[key]]


def concrete(key: str, world, scope: str = "in") -> tuple[str, object | None]:
    """A URL for the route naming an object in the operator's scope ("in"), out of it ("out"), or one that
    does not exist ("missing"); and that object."""
    obj = named(key, world, scope)
    pk = obj.pk if obj is not None else MISSING
    query = dict(QUERIES.get(key, {}))
    if key in BY_QUERY:
        # dashboard:sync without an eldership shows all one sees: for a reviewer, more than one eldership (400).
        url = reverse(key)
        query[NAMED[key]] = str(pk)
    elif key in NAMED:
        url = reverse(key, kwargs={"pk": pk})
        if NAMED[key] in {"segment", "gap"} and key.endswith("-detail"):
            camera = world.objects["in" if scope == "missing" else scope]["camera"]
            query["camera"] = str(camera.pk)
    else:
        url = reverse(key, args=ARGS.get(key, [])) if key else "/"
    return (f"{url}?{urlencode(query)}" if query else url), obj


def send(client: Client, method: str, key: str, url: str) -> object:
    return getattr(client, method.lower())(url, BODIES.get(key, {}))


def test_every_route_has_an_expectation():
    routes = {k for k, route in all_routes().items() if not route.startswith("admin/")}
    missing = sorted(routes - ROUTES.keys())
    assert not missing, f"routes without an access expectation in {__file__}: {missing}"
    assert not sorted(ROUTES.keys() - routes), "expectations for routes that no longer exist"
    with_ids = sorted(k for k, route in all_routes().items() if "pk>" in route and not route.startswith("admin/"))
    assert not sorted(set(with_ids) - NAMED.keys()), "routes naming an object need an entry in NAMED"


@pytest.mark.parametrize("key", sorted(ROUTES))
def test_route_allows_and_denies_as_expected(key, world, clients):
    method, expected = ROUTES[key]
    got, urls = {}, {}
    for role, want in zip(ROLES, expected, strict=True):
        urls[role], obj = concrete(key, world, "in")
        response = send(clients[role], method, key, urls[role])
        got[role] = ANY if want == ANY else outcome(response)
        if got[role] == OK and response.status_code in (301, 302, 303, 307, 308):
            location = REDIRECTS.get((key, role), REDIRECTS.get(key, "")).replace("{pk}", str(getattr(obj, "pk", "")))
            got[role] = OK if response["Location"] == location else f"redirect to {response['Location']}"
    assert got == dict(zip(ROLES, expected, strict=True)), urls


def without_ids(response: object, *ids: int) -> tuple[int, str]:
    """The answer with the object's id blanked out, to compare a refusal with the answer for a missing id."""
    body = response.content.decode(errors="replace")
    for pk in ids:
        body = re.sub(rf"\b{pk}\b", "<id>", body)
    return response.status_code, body


@pytest.mark.parametrize("key", sorted(set(NAMED) - UNSCOPED))
def test_an_object_out_of_the_operators_scope_exists_and_is_refused_as_if_missing(key, world, clients):
    """The same route with an object of another eldership: the operator's refusal must answer exactly as a
    missing id does, while the object exists (the roles that see every eldership get it)."""
    method, expected = ROUTES[key]
    # Where the operator is refused in its own eldership too (releasing a hold), the refusal stays.
    hidden = expected[ROLES.index("operator")] == OK
    got, urls = {}, {}
    for role in ROLES:
        urls[role], obj = concrete(key, world, "out")
        assert type(obj).objects.filter(pk=obj.pk).exists(), f"{key}: the out-of-scope object must exist"
        camera = obj if NAMED[key] == "camera" else world.objects["out"]["camera"]
        assert camera.eldership_id != world.pabirze.pk
        response = send(clients[role], method, key, urls[role])
        got[role] = outcome(response)
        if role == "operator" and hidden:
            missing_url, _ = concrete(key, world, "missing")
            missing = send(clients[role], method, key, missing_url)
            assert response.status_code in (400, 404), (key, response.status_code)
            assert response.status_code == missing.status_code, key
            if response["Content-Type"].startswith("application/json"):
                assert without_ids(response, obj.pk, camera.pk) == without_ids(missing, MISSING), key
            got[role] = DENIED
    assert got == {**dict(zip(ROLES, expected, strict=True)), "operator": DENIED}, urls


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
    own = world.objects["in"]
    kinds = {"elderships": "eldership", "cameras": "camera", "segments": "segment", "gaps": "gap"}
    kinds |= {"holds": "hold", "deleted-ranges": "deletedrange", "alarms": "alarm", "requests": "request"}
    kinds |= {"incidents": "incident"}
    local = {
        "start": f"{local_time(FOOTAGE_START):%Y-%m-%dT%H:%M:%S}",
        "end": f"{local_time(FOOTAGE_END):%Y-%m-%dT%H:%M:%S}",
    }
    bodies = {
        ("POST", "/api/holds/"): {"cameras": [own["camera"].pk], "reason": "Matrix"} | FOOTAGE_RANGE,
        ("POST", "/api/holds/{id}/release/"): {"reason": "Matrix"},
        ("POST", "/api/requests/"): {
            "cameras": [own["camera"].pk],
            "case_number": "M-1",
            "legal_basis": "pre_trial",
            "reason": "Matrix",
        }
        | local,
        ("POST", "/api/requests/{id}/review/"): {"decision": "reject", "reason": "Matrix"},
        ("POST", "/api/requests/{id}/withdraw/"): {"reason": "Matrix"},
        ("POST", "/api/incidents/{id}/acknowledge/"): {"note": "Matrix"},
    }
    for method, path in sorted(OPERATIONS):
        for role, want in zip(ROLES, OPERATIONS[(method, path)], strict=True):
            resource = path.split("/")[2]
            obj = own[kinds[resource]] if resource in kinds else None
            if path.endswith("/release/"):
                obj = make_hold(own["camera"])  # a fresh one each time: a released hold would answer 400
            if path.endswith(("/review/", "/withdraw/")):  # a waiting request each time: a decided one is a 400
                obj = made_request(own["camera"], world.users["police"], FOOTAGE_START, FOOTAGE_END)
            url = path.replace("{id}", str(obj.pk if obj is not None else MISSING))
            if resource in {"segments", "gaps"}:
                url += f"?camera={own['camera'].pk}"
            elif resource in {"timeline", "deleted-ranges"} and "{id}" not in path:
                url += "?" + urlencode({"camera": own["camera"].pk} | FOOTAGE_RANGE)
            elif path.endswith("/coverage/"):
                url += "?" + urlencode({"camera": own["camera"].pk} | local)
            body = bodies.get((method, path), {})
            response = getattr(clients[role], method.lower())(url, data=body, content_type="application/json")
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
    body = {"cameras": [world.pabirze_camera.pk], "start": T.isoformat(), "end": (T + timedelta(hours=1)).isoformat()}
    for role, expected in HOLD_ACTIONS.items():
        client = clients[role]
        # Fresh holds for each role: one released by the role before would answer 400, which is no answer.
        own, mixed = make_hold(world.pabirze_camera), make_hold(world.pabirze_camera, "Across elderships")
        mixed.cameras.add(world.vabalninkas_camera)
        release = {"reason": f"Released by {role}"}
        got = (
            outcome(client.get(f"/api/holds/{own.pk}/")),
            outcome(client.get(f"/api/holds/{mixed.pk}/")),
            outcome(client.post("/api/holds/", {**body, "reason": role}, content_type="application/json")),
            outcome(client.post(f"/api/holds/{own.pk}/release/", release, content_type="application/json")),
            outcome(client.post(f"/api/holds/{mixed.pk}/release/", release, content_type="application/json")),
        )
        assert got == expected, role
        own.refresh_from_db()
        mixed.refresh_from_db()
        assert (own.released_at is not None, mixed.released_at is not None) == (
            expected[3] == OK,
            expected[4] == OK,
        ), role


# Staff clips: the camera's `export` action (`cameras.export_camera`, staff roles) decides, the scope decides
# the cameras. Without the action a member of staff still plays the camera back but may not clip it.
CLIP_ACTIONS = {
    # role: (clip own eldership, clip other eldership, download own clip)
    "anonymous": (DENIED, DENIED, DENIED),
    "police": (DENIED, DENIED, DENIED),
    "operator": (OK, DENIED, OK),
    "reviewer": (OK, OK, DENIED),  # the download is the operator's own clip
    "administrator": (OK, OK, DENIED),
}


def test_clip_exports_follow_the_export_action_and_the_scope(world, clients):
    body = BODIES["playback:clip"]
    own_clip = world.objects["in"]["export"]
    for role, expected in CLIP_ACTIONS.items():
        got = (
            outcome(clients[role].post(reverse("playback:clip", args=[world.pabirze_camera.pk]), body)),
            outcome(clients[role].post(reverse("playback:clip", args=[world.vabalninkas_camera.pk]), body)),
            outcome(clients[role].get(reverse("playback:clip-download", args=[own_clip.pk]))),
        )
        assert got == expected, role


def test_staff_without_the_export_action_play_back_but_may_not_clip(world, clients):
    Group.objects.get(name=OPERATOR).permissions.remove(Permission.objects.get(codename="export_camera"))
    operator = clients["operator"]
    camera, own_clip = world.pabirze_camera, world.objects["in"]["export"]
    for key in ("playback:vod", "playback:timeline"):
        assert outcome(operator.get(concrete(key, world)[0])) == OK, key
    refused = operator.post(reverse("playback:clip", args=[camera.pk]), BODIES["playback:clip"])
    assert refused.status_code == 403 and "may not export clips" in refused.json()["error"]
    assert operator.get(reverse("playback:clip-download", args=[own_clip.pk])).status_code == 403
    assert not Camera.objects.restrict(world.users["operator"], "export").exists()
    assert Camera.objects.restrict(world.users["operator"], "view").filter(pk=camera.pk).exists()
