"""A camera's RTSP password never appears: admin, API, audit log, logs, error messages."""

import logging

import pytest
from django.test import Client

from audit.models import AuditEntry
from recordings.probe import probe_camera
from tests.support.auth import log_in_verified
from tests.support.roles import RTSP_PASSWORD

pytestmark = pytest.mark.django_db


def assert_secret_absent(text: str) -> None:
    assert RTSP_PASSWORD not in text
    assert "operatorius:" not in text  # user:password@ in a URL


def test_rtsp_password_never_appears_in_admin_api_audit_logs_or_errors(world, caplog):
    caplog.set_level(logging.DEBUG)
    camera = world.vabalninkas_camera
    admin = log_in_verified(Client(), world.users["administrator"])
    pages = [
        admin.get(f"/admin/cameras/camera/{camera.pk}/change/"),
        admin.get("/admin/cameras/camera/"),
        admin.get(f"/admin/cameras/camera/{camera.pk}/history/"),
        admin.get(f"/admin/cameras/camera/{camera.pk}/delete/"),
        admin.get("/api/cameras/"),
        admin.get(f"/api/cameras/{camera.pk}/"),
        admin.get("/api/schema/"),
    ]
    # A bad change: the error page must not echo the stored password either.
    bad = admin.post(
        f"/admin/cameras/camera/{camera.pk}/change/",
        {"eldership": camera.eldership_id, "name": camera.name, "rtsp_url": "http://wrong", "retention_days": 5},
    )
    assert bad.status_code == 200 and "errornote" in bad.content.decode()
    pages.append(bad)
    # The probe of an unreachable camera reports an error message.
    result = probe_camera(camera)
    for response in pages:
        assert response.status_code == 200, response.request["PATH_INFO"]
        assert_secret_absent(response.content.decode())
    assert_secret_absent(str(result))
    assert_secret_absent(str(list(AuditEntry.objects.values())))
    assert_secret_absent(caplog.text)
    # It is stored encrypted, not in clear.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT rtsp_password FROM cameras_camera WHERE id = %s", [camera.pk])
        assert RTSP_PASSWORD not in cursor.fetchone()[0]


@pytest.mark.parametrize(
    "url",
    [
        f"rtsp://10.0.0.5:554/stream1?password={RTSP_PASSWORD}",
        f"rtsp://10.0.0.5/cam/realmonitor?channel=1&user=admin&pwd={RTSP_PASSWORD}",
        f"rtsp://10.0.0.5/live?PassWord={RTSP_PASSWORD}",
    ],
)
def test_a_password_in_the_urls_query_is_refused_with_a_clear_message(world, url):
    camera = world.pabirze_camera
    admin = log_in_verified(Client(), world.users["administrator"])
    form = admin.get(f"/admin/cameras/camera/{camera.pk}/change/").context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"rtsp_username", "rtsp_password"}}
    data.update(rtsp_url=url, eldership=camera.eldership_id)
    response = admin.post(f"/admin/cameras/camera/{camera.pk}/change/", data)
    assert response.status_code == 200
    errors = str(response.context["adminform"].form.errors["rtsp_url"])
    assert "use the credential fields, which are encrypted" in errors
    assert_secret_absent(errors)
    camera.refresh_from_db()
    assert RTSP_PASSWORD not in camera.rtsp_url
    assert not AuditEntry.objects.filter(details__icontains=RTSP_PASSWORD).exists()


def test_a_url_stored_with_a_password_in_its_query_is_shown_redacted(world):
    from cameras.models import Camera

    camera = world.pabirze_camera
    Camera.objects.filter(pk=camera.pk).update(rtsp_url=f"rtsp://10.0.0.5/live?channel=1&pwd={RTSP_PASSWORD}")
    operator = log_in_verified(Client(), world.users["operator"])
    shown = operator.get(f"/api/cameras/{camera.pk}/").json()["rtsp_url"]
    assert shown == "rtsp://10.0.0.5/live?channel=1&pwd=***"
    from audit.admin_mixins import snapshot

    camera.refresh_from_db()
    assert snapshot(camera)["rtsp_url"] == shown  # what an admin change would write to the audit log
