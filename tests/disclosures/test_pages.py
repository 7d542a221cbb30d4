"""The request pages: the form (cameras by eldership and on the map, what exists before submitting), the
request page for requester and reviewer (preview audited, decision, custody), the queue on the dashboard,
police landing on their requests, and an administrator inviting an officer."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client

from accounts.roles import ADMINISTRATOR, OPERATOR, POLICE
from audit.choices import AuditAction
from audit.models import AuditEntry
from disclosures.models import DisclosureRequest
from tests.support.auth import PASSWORD, log_in_verified, make_user

from .conftest import body, local_text
from .support import submit

pytestmark = pytest.mark.django_db


def web(user, language="en"):
    return log_in_verified(Client(HTTP_ACCEPT_LANGUAGE=language), user)


def test_police_land_on_their_requests(world):
    assert web(world.users["police"]).get("/").url == "/requests/"
    assert web(world.users["reviewer"]).get("/").url == "/dashboard/"


def test_the_form_offers_only_the_cameras_the_officer_may_ask_for_by_eldership_and_on_the_map(world):
    page = web(world.users["police"]).get("/requests/new/")
    html = page.content.decode()
    assert page.status_code == 200
    assert world.gate.name in html and world.square.name in html and world.market.name not in html
    assert "<summary>Pabiržės</summary>" in html
    markers = json.loads(re.search(r'<script id="markers" type="application/json">(.*?)</script>', html).group(1))
    assert {m["id"] for m in markers} == {world.gate.pk, world.square.pk}


def test_the_form_shows_what_exists_in_the_range_before_submitting(world):
    client = web(world.users["police"])
    page = client.post("/requests/new/", {**body(world), "preview": "1"})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="coverage"' in html
    assert "Camera unreachable" in html  # the gate's outage, with its cause
    assert not DisclosureRequest.objects.exists()


def test_the_form_submits_and_the_request_page_shows_the_chain(world):
    client = web(world.users["police"])
    response = client.post("/requests/new/", {**body(world), "submit": "1"})
    request = DisclosureRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/requests/{request.pk}/"
    html = client.get(response.url).content.decode()
    assert 'data-event="requested"' in html and 'data-event="held"' in html
    assert "01-1-04567-26" in html and 'id="withdraw-form"' in html and 'id="review-form"' not in html
    assert f'href="/requests/{request.pk}/"' in client.get("/requests/").content.decode()


def test_the_reviewer_sees_the_queue_previews_audited_and_decides_on_the_page(world, police_api):
    request = submit(world, police_api)
    reviewer = web(world.users["reviewer"])
    assert "1 footage request waits for review" in reviewer.get("/dashboard/").content.decode()
    assert f'href="/requests/{request.pk}/"' in reviewer.get("/requests/").content.decode()
    html = reviewer.get(f"/requests/{request.pk}/").content.decode()
    assert 'id="review-form"' in html
    vod = re.search(r'data-vod="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert reviewer.get(vod).status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.PLAYBACK, user=world.users["reviewer"]).exists()
    response = reviewer.post(
        f"/requests/{request.pk}/review/",
        {
            "decision": "approve_part",
            "reason": "Tik vartai",
            "cameras": [world.gate.pk],
            "start": local_text(world.t0 + timedelta(minutes=2)),
            "end": local_text(world.t0 + timedelta(minutes=3)),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "partly_approved" and request.export is not None
    assert 'id="export-progress"' in reviewer.get(f"/requests/{request.pk}/").content.decode()
    assert "waits for review" not in reviewer.get("/dashboard/").content.decode()


def test_a_decision_without_a_reason_is_refused_on_the_page(world, police_api):
    request = submit(world, police_api)
    reviewer = web(world.users["reviewer"])
    response = reviewer.post(f"/requests/{request.pk}/review/", {"decision": "reject", "reason": ""}, follow=True)
    assert "This field is required." in response.content.decode()
    assert DisclosureRequest.objects.get(pk=request.pk).state == "waiting"


def test_the_requester_withdraws_on_the_page_and_others_cannot(world, police_api):
    request = submit(world, police_api)
    other = web(world.users["other_police"])
    assert other.post(f"/requests/{request.pk}/withdraw/", {"reason": "x"}).status_code == 404
    assert (
        web(world.users["police"])
        .post(f"/requests/{request.pk}/review/", {"decision": "approve", "reason": "x"})
        .status_code
        == 404
    )
    response = web(world.users["police"]).post(f"/requests/{request.pk}/withdraw/", {"reason": "Nebereikia"})
    assert response.status_code == 302
    assert DisclosureRequest.objects.get(pk=request.pk).state == "withdrawn"


def test_staff_without_the_request_roles_are_refused_plainly(world):
    operator = make_user("operatorius", OPERATOR, elderships=[world.pabirze])
    page = web(operator).get("/requests/")
    assert page.status_code == 403 and "does not make or review footage requests" in page.content.decode()
    assert web(operator).get("/requests/new/").status_code == 403


def test_police_log_in_with_two_factors(world):
    client = Client()
    client.force_login(world.users["police"])
    response = client.get("/requests/")
    assert response.status_code == 302 and response.url.startswith("/accounts/two-factor/")


def test_an_administrator_edits_the_officer_with_the_user_and_invites_them(world, mailbox):
    administrator = make_user("administratorius", ADMINISTRATOR)
    officer = make_user("naujas", POLICE)
    officer.email = "naujas@policija.lt"
    officer.save()
    client = web(administrator)
    page = client.get(f"/admin/auth/user/{officer.pk}/change/").content.decode()
    assert "police_profile-__prefix__-service_number" in page
    response = client.post("/admin/auth/user/", {"action": "invite", "_selected_action": [officer.pk]}, follow=True)
    assert response.status_code == 200
    message = mailbox.wait_for(lambda m: "naujas@policija.lt" in str(m["To"]), what="the invitation")
    link = re.search(r"http://\S+/requests/set-password/\S+/", mailbox.body(message)).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    anonymous = Client()
    form = anonymous.get("/" + path, follow=True)
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = anonymous.post(
        form.redirect_chain[-1][0], {"new_password1": PASSWORD + "x", "new_password2": PASSWORD + "x"}
    )
    assert done.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD + "x")
