"""Status payloads and system alarms rendered in one reader's language.

The status events carry codes and figures (cameras/events.py) because one event goes to every open
dashboard; each page and each websocket connection renders them here, in its own reader's language.
"""

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from accounts.services import browses_cameras
from alarms.models import Alarm
from alarms.texts import render
from birzai_vms import heartbeats
from cameras.reasons import reason_text

# Conditions of the Celery processes (dashboard/process_watch.py), most serious first.
PROCESS_TEXTS = {
    heartbeats.NO_CAPTURE_WORKER: gettext_noop("No capture worker is running: cameras are not being recorded."),
    heartbeats.NO_DEFAULT_WORKER: gettext_noop(
        "No background worker is running: retention, exports and alerts are stopped."
    ),
    heartbeats.NO_BEAT: gettext_noop("The scheduler (Celery beat) is not running."),
}


def _alarm_entry(alarm: dict[str, Any]) -> dict[str, Any]:
    if "params" not in alarm:  # sent by a worker of the previous release: its text is all there is
        return alarm
    return {**alarm, "message": render(alarm["kind"], alarm["params"])}


def render_status(payload: dict[str, Any], language: str) -> dict[str, Any]:
    """The payload with `reason` and each alarm's `message` in `language`."""
    with translation.override(language):
        code = payload.get("reason_code", payload.get("reason", ""))
        return {
            **payload,
            "reason": reason_text(code),
            "alarms": [_alarm_entry(a) for a in payload.get("alarms") or []],
        }


def system_alarms(user: Any, language: str, processes: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The banner: the conditions of the Celery processes (codes of `processes`), then the open
    system-wide alarms (no camera: storage) the user may see."""
    if not browses_cameras(user):
        return []
    with translation.override(language):
        entries = [
            {"id": None, "kind": code, "severity": "critical", "message": gettext(PROCESS_TEXTS[code])}
            for code in processes
        ]
    return entries + _alarm_rows(user, language)


def _alarm_rows(user: Any, language: str) -> list[dict[str, Any]]:
    alarms = Alarm.objects.open().filter(camera__isnull=True).visible_to(user).order_by("started_at")
    with translation.override(language):
        return [
            {
                "id": a.pk,
                "kind": a.kind,
                "severity": a.severity,
                "message": a.text,
                "started_at": a.started_at.isoformat(),
            }
            for a in alarms
        ]


def scope_language(scope: dict[str, Any]) -> str:
    """The language of the page that opened the socket (?lang=), else what LocaleMiddleware would choose
    for its request (language cookie, Accept-Language, LANGUAGE_CODE)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    wanted = (query.get("lang") or [""])[0]
    if wanted in {code for code, _name in settings.LANGUAGES}:
        return wanted
    headers = dict(scope.get("headers") or [])
    request = SimpleNamespace(
        COOKIES=scope.get("cookies") or {},
        META={"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")},
        path_info="/",
    )
    return translation.get_language_from_request(request)
