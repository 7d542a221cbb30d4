"""An Administrator sets up TOTP in the browser from the QR page's key, then logs in with a code."""

import base64
import re
import time

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page

from accounts.roles import ADMINISTRATOR
from audit.choices import AuditAction
from audit.models import AuditEntry
from tests.support.auth import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def code_from_key(base32_key: str) -> str:
    """What an authenticator app shows for this key now."""
    return f"{TOTP(base64.b32decode(base32_key)).token():06d}"


def fresh_code(base32_key: str, used: set[str]) -> str:
    # A code is accepted once: wait for the next 30 s step rather than reuse one (deadline, no sleep loop).
    deadline = time.monotonic() + 35
    while (code := code_from_key(base32_key)) in used:
        assert time.monotonic() < deadline, "no new TOTP step within 35 s"
        time.sleep(0.5)
    used.add(code)
    return code


def test_administrator_enrols_and_logs_in_with_totp(live_server, page: Page):
    make_user("administratorius", ADMINISTRATOR)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.goto(f"{live_server.url}/accounts/login/?next=/audit/")
    page.fill("input[name=username]", "administratorius")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")  # the header has its own forms
    # No device yet: the role requires one, so the enrolment page comes first, with a QR code.
    page.wait_for_url(re.compile(r"/accounts/two-factor/"))
    assert page.locator(".qr svg").count() == 1
    key = page.inner_text("#manual-key").strip()
    used: set[str] = set()
    page.fill("input[name=token]", fresh_code(key, used))
    page.click("form:has(input[name=token]) button[type=submit]")
    page.wait_for_url(f"{live_server.url}/audit/")
    assert page.locator("tbody tr", has_text="administratorius").count() >= 2  # login, enrolment

    # Log out and in again: now the code is asked on the login form itself.
    page.goto(f"{live_server.url}/accounts/two-factor/")
    assert page.locator("#two-factor-state").count() == 1
    page.click("form[action='/accounts/logout/'] button")
    page.goto(f"{live_server.url}/accounts/login/?next=/audit/")
    page.fill("input[name=username]", "administratorius")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")  # the header has its own forms
    assert page.locator(".errorlist").count() >= 1  # the code is required
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=otp_token]", fresh_code(key, used))
    page.click("main button[type=submit]")  # the header has its own forms
    page.wait_for_url(f"{live_server.url}/audit/")
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN, details__two_factor=True).exists()
    assert not [e for e in errors if "Content Security Policy" in e], errors
