"""Two factors for administrators and reviewers, optional for others; lockout after repeated failures."""

import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.choices import AuditAction
from audit.models import AuditEntry
from tests.support.auth import PASSWORD, current_code, totp_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django_otp delays the next try after a wrong code (seconds, growing); these tests try at once.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_an_administrator_without_a_device_must_enrol_before_anything_else(world):
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "administratorius", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    # Logged in, but every page leads to the two-factor page until a code is given.
    for url in ("/admin/", "/audit/", "/dashboard/"):
        refused = client.get(url)
        assert refused.status_code == 302 and refused["Location"].startswith("/accounts/two-factor/")
    assert client.get("/api/cameras/").status_code == 403

    enrol = client.get("/accounts/two-factor/")
    page = enrol.content.decode()
    assert "<svg" in page and "<script" not in page  # the QR code is drawn here, not by a service
    device = TOTPDevice.objects.get(user=world.users["administrator"], confirmed=False)
    assert client.post("/accounts/two-factor/", {"token": "000000", "next": "/admin/"}).status_code == 200
    done = client.post("/accounts/two-factor/", {"token": current_code(device), "next": "/admin/"})
    assert done.status_code == 302 and done["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.TWO_FACTOR_ENROLLED).exists()


def test_an_enrolled_reviewer_cannot_log_in_without_the_code(world):
    device = totp_device(world.users["reviewer"])
    client = Client()
    without = client.post("/accounts/login/", {"username": "perziuretojas", "password": PASSWORD})
    assert without.status_code == 200 and "authenticator" in without.content.decode()
    wrong = client.post("/accounts/login/", {"username": "perziuretojas", "password": PASSWORD, "otp_token": "123456"})
    assert wrong.status_code == 200
    assert client.get("/audit/").status_code == 302
    right = client.post(
        "/accounts/login/", {"username": "perziuretojas", "password": PASSWORD, "otp_token": current_code(device)}
    )
    assert right.status_code == 302
    assert client.get("/audit/").status_code == 200
    login = AuditEntry.objects.filter(action=AuditAction.LOGIN).latest("seq")
    assert login.details == {"two_factor": True}
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, target="perziuretojas").count() == 2


def test_two_factors_are_optional_for_operators(world):
    client = Client()
    assert client.post("/accounts/login/", {"username": "operatorius", "password": PASSWORD}).status_code == 302
    assert client.get("/api/cameras/").status_code == 200


def test_repeated_failures_lock_the_account_out_and_are_audited(world, settings):
    client = Client(REMOTE_ADDR="10.9.9.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "operatorius", "password": "guess"})
    locked = client.post("/accounts/login/", {"username": "operatorius", "password": PASSWORD})
    assert locked.status_code == 429
    assert not client.session.get("_auth_user_id")
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT, target="operatorius", ip_address="10.9.9.9").exists()
    # Another address is not locked out of the same account (no denial of service by a guesser).
    other = Client(REMOTE_ADDR="10.9.9.10")
    assert other.post("/accounts/login/", {"username": "operatorius", "password": PASSWORD}).status_code == 302


def test_sessions_expire_after_inactivity(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600


def test_every_page_carries_a_csp_without_inline_script(world):
    response = Client().get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "<script>" not in response.content.decode()
