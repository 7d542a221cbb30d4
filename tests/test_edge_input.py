"""Every route that takes a time or an id (found from the URL resolver and the OpenAPI schema) answers
400 with a message to years 1 and 9999, non-ASCII digits and other malformed values: never a 500, never
a 200 that quietly read garbage. Objects in the operator's scope exist, so a good request succeeds."""

import subprocess
from datetime import timedelta
from urllib.parse import urlencode

import imageio_ffmpeg
import pytest
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from drf_spectacular.generators import SchemaGenerator

from birzai_vms import params
from tests.accounts.test_permission_matrix import walk
from tests.support.auth import log_in_verified
from tests.support.roles import World, build_world

pytestmark = pytest.mark.django_db

INSTANT, DATE, TIME, LOCAL, ID, IDS, SEQUENCE = "instant", "date", "time", "local", "id", "ids", "sequence"
FOLD = "fold"  # which reading of a local time that occurs twice: 0 or 1
RANGE = {"camera": ID, "start": INSTANT, "end": INSTANT}
AUDIT = {"start": LOCAL, "end": LOCAL, "camera": ID, "user": ID}

# Routes that take their parameters in a POST body (starting a clip export changes state).
POSTED = {"playback:clip"}
# route key -> the time and id parameters it reads
PARAMETERS: dict[str, dict[str, str]] = {
    "playback:vod": {"start": INSTANT, "end": INSTANT},
    "playback:clip": {"start": INSTANT, "end": INSTANT},
    "playback:timeline": {"date": DATE},
    "playback:live": {"_HLS_msn": SEQUENCE},
    "dashboard:playback": {"date": DATE, "time": TIME},
    "dashboard:sync": {"date": DATE, "time": TIME, "cameras": IDS, "eldership": ID},
    "dashboard:live-grid": {"cameras": IDS, "eldership": ID},
    "audit:list": AUDIT,
    "audit:export": AUDIT,
    "segment-list": RANGE,
    "gap-list": RANGE,
    "deletedrange-list": RANGE,
    "timeline": RANGE,
    "hold-list": {"camera": ID},
    "alarm-list": {"camera": ID},
    "incident-list": {"camera": ID},
    "camera-list": {"eldership": ID},
    "reports:uptime": {"date": DATE, "eldership": ID, "camera": ID},
    "reports:uptime-csv": {"date": DATE, "eldership": ID, "camera": ID},
    "reports:uptime-pdf": {"date": DATE, "eldership": ID, "camera": ID},
    # What exists before a request is submitted (a requester's route: asked as the police user).
    "disclosurerequest-coverage": {
        "camera": ID,
        "start": INSTANT,
        "end": INSTANT,
        "start_fold": FOLD,
        "end_fold": FOLD,
    },
}
REQUESTER_ROUTES = {"disclosurerequest-coverage"}
# Routes that read no time or id from the query (the id in the path is matched by <int:pk>).
NO_PARAMETERS = {
    "",
    "healthz",
    "readyz",
    "metrics",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:two_factor",
    "accounts:account",
    "api-root",
    "schema",
    "api-docs",
    "eldership-list",
    "eldership-detail",
    "camera-detail",
    "segment-detail",
    "gap-detail",
    "hold-detail",
    "hold-release",
    "alarm-detail",
    "incident-detail",
    "incident-acknowledge",
    "incidents:list",
    "incidents:detail",
    "storage",
    "dashboard:overview",
    "dashboard:map",
    "dashboard:logout",
    "dashboard:live",
    "playback:snapshot",
    "playback:clip-status",
    "playback:clip-download",
    "exports:public-key",
    "exports:key",
    "exports:verify",
    "playback:segment",
    "playback:segment-mkv",
    "playback:rendition",
    "api-token",
    # Requests read their times and cameras from the body (tests/disclosures/test_validation.py).
    "disclosurerequest-list",
    "disclosurerequest-detail",
    "disclosurerequest-download",
    "disclosurerequest-review",
    "disclosurerequest-withdraw",
    "disclosures:list",
    "disclosures:new",
    "disclosures:detail",
    "disclosures:download",
    "disclosures:review",
    "disclosures:withdraw",
    "disclosures:extend",
    "disclosures:retry",
    "disclosures:set-password",
    # One deleted range is found by its id alone; the list's camera and range parameters are not read.
    "deletedrange-detail",
    "reports:register",
    "reports:register-csv",
}

EDGE_INSTANTS = [
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:30:00+03:00",
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00",
    "0001-01-01",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:00:00-03:00",
    "9999-12-31T23:59:59.999999-12:00",
    "9999-12-31T23:59:59",
    "9999-12-31",
]
MALFORMED_INSTANTS = [
    "２０２６-11-20T20:10:00+00:00",
    "٢٠٢٦-١١-٢٠T٢٠:١٠:٠٠+00:00",
    "2026-11-20T20:10:00+0³:00",
    "2026-13-01T00:00:00+00:00",
    "2026-11-20T20:10:00+25:00",
    "yesterday",
    "\x00",
]
BAD_DATES = ["0001-01-01", "9999-12-31", "0000-01-01", "10000-01-01", "٢٠٢٦-١١-٢٠", "2026-11-2０", "2026-02-30", "x"]
BAD_TIMES = ["２２:10", "22:1０", "¹²:00", "25:00", "x"]
BAD_IDS = ["¹²", "²", "١", "１", "-1", "0", "1e3", "1.0", "99999999999999999999", "abc", "1 2"]
BAD = {
    INSTANT: EDGE_INSTANTS + MALFORMED_INSTANTS,
    LOCAL: EDGE_INSTANTS + MALFORMED_INSTANTS,
    DATE: BAD_DATES,
    TIME: BAD_TIMES,
    ID: BAD_IDS,
    SEQUENCE: [v for v in BAD_IDS if v not in {"0", "99999999999999999999"}] + ["9" * 19],
    IDS: [*BAD_IDS, "1,¹", "1,,x"],
    FOLD: ["2", "-1", "１", "¹", "0.0", "1e0", "true", "x"],
}


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def admin(world: World, recordings_root) -> Client:
    # The in-scope segment's file exists, so that a good clip or playlist request succeeds.
    source = recordings_root / world.pabirze_segment.path
    source.parent.mkdir(parents=True)
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x90:rate=5"]
        + ["-t", "1", "-c:v", "libx264", "-g", "5", "-f", "mpegts", str(source)],
        check=True,
        timeout=60,
    )
    return log_in_verified(Client(), world.users["administrator"])


def good_values(world: World) -> dict[str, str]:
    start = world.pabirze_segment.start
    return {
        "start": (start - timedelta(minutes=1)).isoformat(),
        "end": (start + timedelta(minutes=5)).isoformat(),
        "date": "2026-11-20",
        "time": "22:10",
        "camera": str(world.pabirze_camera.pk),
        "cameras": str(world.pabirze_camera.pk),
        "eldership": str(world.pabirze.pk),
        "user": str(world.users["administrator"].pk),
        "_HLS_msn": "0",
        "start_fold": "0",
        "end_fold": "0",
    }


def good_local_values() -> dict[str, str]:
    return {"start": "2026-11-20T10:00", "end": "2026-11-21T10:00"}


def url_of(key: str, world: World) -> str:
    for kwargs in ({}, {"pk": world.pabirze_camera.pk}):
        try:
            return reverse(key, kwargs=kwargs)
        except Exception:
            continue
    raise AssertionError(key)


def query(key: str, world: World, **override: str) -> dict[str, str]:
    good = good_values(world)
    if key.startswith("audit:"):
        good |= good_local_values()
    return {name: good[name] for name in PARAMETERS[key]} | override


def test_every_route_is_known_to_take_or_not_take_times_and_ids():
    routes = {key for key, route, _ in walk(get_resolver().url_patterns) if not route.startswith("admin/")}
    missing = sorted(routes - PARAMETERS.keys() - NO_PARAMETERS)
    assert not missing, f"say in {__file__} which time or id parameters these routes read: {missing}"
    assert not (PARAMETERS.keys() | NO_PARAMETERS) - routes, "parameters listed for routes that no longer exist"


def test_every_time_or_id_parameter_of_the_api_schema_is_tested():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    checked = 0
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            match = resolve(path.replace("{id}", "1"))
            key = match.url_name
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query" or parameter["name"] in {"limit", "offset"}:
                    continue
                kind = parameter["schema"].get("format") or parameter["schema"].get("type")
                if kind in {"date-time", "date", "integer", "number"}:
                    assert parameter["name"] in PARAMETERS.get(key, {}), (method, path, parameter["name"])
                    checked += 1
    assert checked >= 12  # camera, start and end of four range APIs at least: the schema was read


@pytest.mark.parametrize("key", sorted(PARAMETERS))
def test_route_refuses_bad_times_and_ids_with_400(key, world, admin):
    url = url_of(key, world)
    client = log_in_verified(Client(), world.users["police"]) if key in REQUESTER_ROUTES else admin
    send = client.post if key in POSTED else client.get
    baseline = send(url, query(key, world), HTTP_ACCEPT_LANGUAGE="en")
    assert baseline.status_code < 300, (url, baseline.status_code, baseline.content[:300])
    wrong = []
    for name, kind in PARAMETERS[key].items():
        for value in BAD[kind]:
            response = send(url, query(key, world, **{name: value}), HTTP_ACCEPT_LANGUAGE="en")
            body = b"" if getattr(response, "streaming", False) else response.content
            if response.status_code != 400 or not body.strip():
                wrong.append((name, value, response.status_code))
    assert not wrong, f"{url}: not a 400 with a message: {wrong}"


def test_a_hold_with_bad_times_or_camera_ids_is_refused(world, admin):
    good = good_values(world)
    body = {"cameras": [world.pabirze_camera.pk], "start": good["start"], "end": good["end"], "reason": "Tyrimas"}
    wrong = []
    for name, values in (("start", BAD[INSTANT]), ("end", BAD[INSTANT]), ("cameras", [*BAD_IDS, True])):
        for value in values:
            data = body | {name: [value] if name == "cameras" else value}
            response = admin.post("/api/holds/", data, content_type="application/json")
            if response.status_code != 400:
                wrong.append((name, value, response.status_code))
    assert not wrong
    created = admin.post("/api/holds/", body, content_type="application/json")
    assert created.status_code == 201, created.content


def test_day_navigation_stops_at_the_first_and_last_day_that_can_be_asked_for(world, admin):
    url = reverse("dashboard:playback", args=[world.pabirze_camera.pk])
    first = admin.get(url, {"date": params.EARLIEST_DAY.isoformat()})
    assert first.status_code == 200
    assert first.context["previous_day"] is None and first.context["next_day"] is not None
    last = admin.get(url, {"date": params.LATEST_DAY.isoformat()})
    assert last.status_code == 200
    assert last.context["next_day"] is None and last.context["previous_day"] is not None
    for day in ("1969-12-31", "3000-01-01"):
        response = admin.get(url + "?" + urlencode({"date": day}), HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400 and b"Times must lie between" in response.content


def test_the_time_api_edges_are_refused_with_the_range_in_the_message(world, admin):
    response = admin.get(
        "/api/segments/",
        {"camera": world.pabirze_camera.pk, "start": "9999-12-31T23:00:00-03:00"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "1970-01-01" in response.json()["start"][0]


@pytest.mark.parametrize("key", sorted(k for k, p in PARAMETERS.items() if {ID, IDS, SEQUENCE} & set(p.values())))
def test_an_id_beyond_the_database_integer_range_is_no_server_error(key, world, admin):
    url = url_of(key, world)
    for name, kind in PARAMETERS[key].items():
        if kind in {ID, IDS, SEQUENCE}:
            response = admin.get(url, query(key, world, **{name: "999999999999999999"}))
            assert response.status_code < 500, (name, response.status_code)
