"""The uptime report page draws its two charts (Chart.js from static/vendor, under the CSP, no inline script)
in the reader's language, and the filters change what they show."""

import pytest
from playwright.sync_api import Page

from accounts.roles import OPERATOR
from tests.reports.world import build
from tests.support.auth import make_user
from tests.support.webserver import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PAINTED = """(sel) => { const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""


def test_the_report_page_draws_its_charts(live_server, page: Page):
    world = build()
    operator = make_user("operatore", OPERATOR, elderships=[world.north, world.south])
    errors: list[str] = []
    # A missing resource shows as a console error without its address; the response listener names it
    # (the browser's own /favicon.ico request is neither).
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" and "resource" not in m.text else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("response", lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.context.add_cookies([session_cookie(operator, live_server.url)])
    page.goto(f"{live_server.url}/reports/uptime/?period=range&from=2026-10-24&to=2026-10-26")
    page.wait_for_selector("body[data-charts-drawn='2']", state="attached")
    assert page.locator("h1").inner_text() == "Veikimo ataskaita"
    assert page.evaluate("window.reportCharts.map(c => c.config.type)") == ["bar", "line"]
    assert page.evaluate("window.reportCharts[0].data.labels") == [world.cam_a.name, world.cam_b.name, world.cam_c.name]
    assert page.evaluate("window.reportCharts[1].data.labels") == ["2026-10-24", "2026-10-25", "2026-10-26"]
    for canvas in ("#chart-cameras", "#chart-days"):
        assert page.evaluate(PAINTED, canvas) > 1000, f"{canvas} was not painted"

    page.select_option("#eldership", str(world.south.pk))
    page.click(".report-filters button[type=submit]")
    page.wait_for_url("**eldership=*")
    page.wait_for_selector("body[data-charts-drawn='2']", state="attached")
    assert page.evaluate("window.reportCharts[0].data.labels") == [world.cam_c.name]
    assert not errors, errors
