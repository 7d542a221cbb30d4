"""A camera's RTSP password never appears: admin, API, audit log, logs, error messages."""

import logging

import pytest
from django.test import Client

from audit.models import AuditEntry
from cameras.services import probe_camera
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
