"""The whole police request in the browser, on real recorded footage, real workers and a real mail server:
the officer submits (cameras from the list and the map), the reviewer approves part, the export finishes
with its progress shown, the officer downloads, and the package verifies (verify_package, `sha256sum -c`,
and an Ed25519 check of manifest.sig with the package's public key)."""

import json
import subprocess
import zipfile
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.test import Client
from django.utils import timezone

from accounts.roles import POLICE, REVIEWER
from birzai_vms.localtime import local
from disclosures.models import DisclosureRequest, PoliceProfile
from exports.verification import verify_package
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import log_in_verified, make_user
from tests.support.footage import H264, record_footage
from tests.support.waiting import wait_for
from tests.support.webserver import Daphne

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def web(capture_stack, mailbox, tmp_path):
    # The worker that builds the export (and emails the officer when it is ready) and the web server
    # share the exports folder and send mail to the test's SMTP server.
    capture_stack.env.update({"EMAIL_URL": mailbox.url, "EXPORTS_ROOT": str(tmp_path / "exports")})
    server = Daphne(capture_stack.env, tmp_path / "daphne.log").start()
    yield server
    server.stop()


def verified_cookie(user, url):
    """A session that passed the two-factor login (Police and Reviewers need it)."""
    client = log_in_verified(Client(), user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


def wall(instant):
    return f"{local(instant):%Y-%m-%dT%H:%M:%S}"


def test_police_request_approved_in_part_exported_downloaded_and_verified(
    capture_stack, mailbox, browser, web, tmp_path
):
    pabirze = EldershipFactory(name="Pabiržės", code="pabirzes")
    gate = CameraFactory(eldership=pabirze, name="Pabiržė – vartai", latitude="56.171", longitude="24.701")
    square = CameraFactory(eldership=pabirze, name="Pabiržė – aikštė", latitude="56.182", longitude="24.712")
    start = (timezone.now() - timedelta(minutes=10)).replace(microsecond=0)
    for camera in (gate, square):
        record_footage(camera, H264, start=start, segments=8)
    officer = make_user("tyrejas", POLICE, first_name="Jonas", last_name="Tyrėjas")
    PoliceProfile.objects.create(
        user=officer, organisation="Panevėžio apskrities VPK", position="Tyrėjas", service_number="PK-0042"
    )
    reviewer = make_user("perziuretojas", REVIEWER)
    capture_stack.dispatcher()

    police = browser.new_context(locale="lt-LT", viewport={"width": 1366, "height": 768}, accept_downloads=True)
    staff = browser.new_context(locale="lt-LT", viewport={"width": 1366, "height": 768})
    try:
        police.add_cookies([verified_cookie(officer, web.url)])
        staff.add_cookies([verified_cookie(reviewer, web.url)])
        page, review = police.new_page(), staff.new_page()
        for p in (page, review):
            p.set_default_timeout(20_000)

        # The officer lands on their requests and fills in the form: the gate from the list, the square on the map.
        page.goto(f"{web.url}/")
        page.wait_for_url(f"{web.url}/requests/")
        page.click("#new-request")
        page.check(f"input[name=cameras][value='{gate.pk}']")
        page.locator("#map path.leaflet-interactive").first.click()  # markers in name order: the square first
        assert page.is_checked(f"input[name=cameras][value='{square.pk}']")
        requested_start, requested_end = start + timedelta(seconds=2), start + timedelta(seconds=26)
        page.fill("#id_start", wall(requested_start))
        page.fill("#id_end", wall(requested_end))
        page.fill("#id_case_number", "01-1-04567-26")
        page.select_option("#id_legal_basis", "pre_trial")
        page.fill("#id_reason", "Vagystė iš kiosko prie vartų")
        page.click("#preview")
        page.wait_for_selector("#coverage")
        assert page.locator("#coverage tbody tr").count() == 2
        page.click("#submit")
        page.wait_for_url("**/requests/*/")
        request = DisclosureRequest.objects.get()
        assert request.hold.is_active
        assert page.locator("#custody tr[data-event=held]").count() == 1
        mailbox.wait_for(lambda m: "perziuretojas@example.org" in str(m["To"]), what="the reviewer's email")

        # The reviewer previews (the player loads the requested footage) and approves the gate, a narrower range.
        review.goto(f"{web.url}/dashboard/")
        review.click("#waiting-requests a")
        review.click(f"a[href='/requests/{request.pk}/']")
        review.wait_for_function("() => document.querySelector('figure.preview video').readyState >= 1")
        approved_start, approved_end = start + timedelta(seconds=6), start + timedelta(seconds=18)
        review.check("#review-form input[name=decision][value=approve_part]")
        review.uncheck(f"#review-form input[name=cameras][value='{square.pk}']")
        review.fill("#review-form input[name=start]", wall(approved_start))
        review.fill("#review-form input[name=end]", wall(approved_end))
        review.fill("#review-form textarea[name=reason]", "Tik vartų kamera, 12 sekundžių")
        review.click("#decide")
        # Progress over the websocket until the package is ready (the page then reloads with it).
        review.wait_for_selector("#export-progress")
        review.wait_for_selector("#export-status[data-state=ready]", timeout=90_000)
        # The script reloads the page 0.5 s after "ready"; a navigation of ours meanwhile would be aborted by it
        # (net::ERR_ABORTED). Wait for the page the server rendered as ready (its config says so; the script only
        # changes its own copy), then load it afresh once the worker has noted the export in the chain of custody.
        review.wait_for_function(
            "() => JSON.parse(document.getElementById('export-config')?.textContent || '{}').state === 'ready'",
            timeout=30_000,
        )
        wait_for(lambda: request.custody.filter(event="exported").exists(), timeout=30, what="the exported link")
        review.goto(f"{web.url}/requests/{request.pk}/")
        assert review.get_attribute("#export-status", "data-state") == "ready"
        assert review.evaluate("document.getElementById('export-progress').value") == 1
        assert review.locator("#custody tr[data-event=exported]").count() == 1
        request.refresh_from_db()
        assert request.state == "partly_approved"
        # Two emails to the officer: the decision, and the package ready (sent by the worker that built it).
        wait_for(lambda: len(mailbox.to("tyrejas@example.org")) >= 2, timeout=60, what="the officer's two emails")
        assert all(f"/requests/{request.pk}/" in mailbox.body(m) for m in mailbox.to("tyrejas@example.org"))

        # The officer sees the same progress, finished, and downloads the package.
        page.goto(f"{web.url}/requests/{request.pk}/")
        assert page.get_attribute("#export-status", "data-state") == "ready"
        with page.expect_download() as download:
            page.click("#download")
        package = tmp_path / "package.zip"
        download.value.save_as(package)
        page.reload()
        downloaded = page.locator("#custody tr[data-event=downloaded]")
        assert downloaded.count() == 1 and "127.0.0.1" in downloaded.inner_text()
    finally:
        police.close()
        staff.close()

    # The package verifies: our check, sha256sum -c, and the Ed25519 signature with its public key.
    assert verify_package(package) == []
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(unpacked)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    key = load_pem_public_key((unpacked / "public_key.pem").read_bytes())
    key.verify((unpacked / "manifest.sig").read_bytes(), (unpacked / "manifest.json").read_bytes())
    manifest = json.loads((unpacked / "manifest.json").read_text())
    assert manifest["request"]["case_number"] == "01-1-04567-26"
    assert manifest["request"]["requester"]["service_number"] == "PK-0042"
    videos = [name for name in zipfile.ZipFile(package).namelist() if name.startswith("video/")]
    assert len(videos) == 1 and videos[0].endswith(".mp4")  # the gate only: the square was not approved
