"""`make demo`'s Operator: sees every eldership at once, with no authenticator app, and only in the demo."""

import io
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.services import requires_two_factor
from cameras.models import Camera
from tests.factories import CameraFactory, EldershipFactory

pytestmark = pytest.mark.django_db


def test_the_demo_operator_sees_every_eldership_without_a_second_factor(client, settings, monkeypatch):
    settings.VMS_MODE = "embedded"
    monkeypatch.setenv("DEMO_OPERATOR_PASSWORD", "Demo-Password-1")
    cameras = [CameraFactory(eldership=EldershipFactory()) for _ in range(3)]

    call_command("demo_operator", stdout=io.StringIO())
    call_command("demo_operator", stdout=io.StringIO())  # every run of the demo: updated, not doubled

    from django.contrib.auth import get_user_model

    operator = get_user_model().objects.get(username="operatorius")
    assert not requires_two_factor(operator) and not operator.is_staff
    assert set(Camera.objects.visible_to(operator)) == set(cameras)
    # The login page, as a newcomer would: no code field to fill.
    login = client.post("/accounts/login/", {"username": "operatorius", "password": "Demo-Password-1"})
    assert login.status_code == 302, login.content.decode()[:500]
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert all(c.name in page.content.decode() for c in cameras)


@pytest.mark.parametrize("mode", ["production", "test"])
def test_there_is_no_demo_operator_outside_the_embedded_demo(settings, monkeypatch, mode):
    settings.VMS_MODE = mode
    monkeypatch.setenv("DEMO_OPERATOR_PASSWORD", "Demo-Password-1")
    with pytest.raises(CommandError, match="only in the embedded demo"):
        call_command("demo_operator", stdout=io.StringIO())


def test_the_demo_banner_prints_the_operator_beside_the_admin():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
    try:
        import demo
    finally:
        sys.path.pop(0)
    out = io.StringIO()
    with redirect_stdout(out):
        demo.Demo().banner("admin-pw", "operator-pw", with_cameras=True)
    text = out.getvalue()
    assert "operatorius / operator-pw" in text and "admin / admin-pw" in text
