"""Camera configuration is validated with messages a person can act on; credentials stay secret."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import translation

from cameras.models import Camera, validate_rtsp_url
from tests.factories import CameraFactory, EldershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English; the Lithuanian ones come from the same msgids."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.5/stream", "must start with rtsp://"),
        ("10.0.0.5:554/stream", "must start with rtsp://"),
        ("rtsp:///stream", "no camera address"),
        ("rtsp://admin:secret@10.0.0.5/stream", "Do not put the user name or password in the URL"),
        ("rtsp://10.0.0.5:99999/stream", "not a valid URL"),
        ("rtsp://10.0.0.5/my stream", "must not contain spaces"),
    ],
)
def test_it_refuses_malformed_rtsp_urls(url, message):
    with pytest.raises(ValidationError, match=message):
        validate_rtsp_url(url)


def test_it_accepts_ordinary_rtsp_urls():
    for url in ("rtsp://10.0.0.5:554/Streaming/Channels/101", "rtsps://camera.local/live?x=1", "rtsp://[::1]/a"):
        validate_rtsp_url(url)


def test_retention_under_30_days_is_refused_by_validation_and_by_the_database():
    camera = CameraFactory.build(eldership=EldershipFactory(), retention_days=29)
    with pytest.raises(ValidationError, match="at least 30 days"):
        camera.full_clean()
    with pytest.raises(IntegrityError):
        camera.save()


def test_credentials_are_encrypted_at_rest():
    camera = CameraFactory(rtsp_username="operator", rtsp_password="Pa55-word!")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rtsp_username, rtsp_password FROM cameras_camera WHERE id = %s", [camera.pk])
        stored = cursor.fetchone()
    assert "operator" not in stored[0] and "Pa55-word!" not in stored[1]
    camera.refresh_from_db()
    assert (camera.rtsp_username, camera.rtsp_password) == ("operator", "Pa55-word!")
    assert camera.connection_url().startswith("rtsp://operator:Pa55-word%21@127.0.0.1:")


def test_admin_shows_clear_errors_and_saves_nothing_for_bad_input(admin_client):
    eldership = EldershipFactory()
    response = admin_client.post(
        "/admin/cameras/camera/add/",
        {
            "eldership": eldership.pk,
            "name": "Bad",
            "rtsp_url": "http://x/y",
            "retention_days": 10,
            "purpose": "p",
            "legal_basis": "b",
            "enabled": "on",
            "status-TOTAL_FORMS": 0,
            "status-INITIAL_FORMS": 0,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "must start with rtsp://" in page
    assert "at least 30 days" in page
    assert not Camera.objects.exists()


def test_admin_never_shows_a_stored_password(admin_client):
    camera = CameraFactory(rtsp_username="operator", rtsp_password="Very-Secret-77")
    page = admin_client.get(f"/admin/cameras/camera/{camera.pk}/change/").content.decode()
    assert "Very-Secret-77" not in page
    # Saving the form without typing the password again keeps it.
    response = admin_client.post(
        f"/admin/cameras/camera/{camera.pk}/change/",
        {
            "eldership": camera.eldership_id,
            "name": camera.name,
            "rtsp_url": camera.rtsp_url,
            "retention_days": 45,
            "purpose": "p",
            "legal_basis": "b",
            "enabled": "on",
            "status-TOTAL_FORMS": 0,
            "status-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    camera.refresh_from_db()
    assert (camera.rtsp_password, camera.retention_days) == ("Very-Secret-77", 45)
