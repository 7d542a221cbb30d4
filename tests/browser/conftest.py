"""Playwright on Debian's chromium (Playwright cannot download a browser here)."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.support.webserver import Daphne

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Per module: Playwright's sync API keeps an event loop running in the main thread while it is open,
# which would break the async_to_sync of later (websocket) tests.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="lt-LT", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def web(capture_stack, tmp_path: Path) -> Iterator[Daphne]:
    """The web server (Daphne) with the capture stack's environment; a module that needs more in its
    environment defines its own."""
    server = Daphne(capture_stack.env, tmp_path / "daphne.log").start()
    yield server
    server.stop()


def log_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the admin's login page; a user whose role needs two factors gets a TOTP device
    (if none) and the current code is typed in, as from an authenticator app."""
    from django.contrib.auth import get_user_model

    from accounts.services import requires_two_factor
    from tests.support.auth import current_code, totp_device

    user = get_user_model().objects.get(username=username)
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    if requires_two_factor(user):
        page.fill("input[name=otp_token]", current_code(totp_device(user)))
    page.click("[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")
