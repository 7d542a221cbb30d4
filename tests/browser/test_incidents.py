"""Incidents in the browser: the overview's list follows them live (Lithuanian page, no reload), the
camera's timeline shows them as a band, and the incident page takes an acknowledgement."""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.roles import OPERATOR
from birzai_vms.localtime import local
from incidents import notify
from incidents.choices import IncidentKind
from incidents.models import Incident
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import make_user
from tests.support.webserver import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def send(*incidents):
    # As the detection task does, from a thread of its own (Playwright's loop runs in this one).
    thread = threading.Thread(target=notify.to_dashboards, args=([i.pk for i in incidents],))
    thread.start()
    thread.join(10)


def test_the_overview_shows_a_new_incident_live_and_drops_it_when_it_ends(page, web):
    eldership = EldershipFactory(name="Pabiržės", code="pabirzes")
    camera = CameraFactory(eldership=eldership, name="Pabiržė – mokykla")
    other = CameraFactory(eldership=EldershipFactory(), name="Kita seniūnija")
    operator = make_user("operator", OPERATOR, elderships=[eldership])
    page.context.add_cookies([session_cookie(operator, web.url)])
    page.goto(f"{web.url}/dashboard/")
    page.wait_for_selector("#connection[data-state=open]")
    assert page.locator("#incident-alerts").is_hidden()
    page.evaluate("window.notReloaded = true")

    incident = Incident.objects.create(camera=camera, kind=IncidentKind.FROZEN, started_at=timezone.now())
    theirs = Incident.objects.create(camera=other, kind=IncidentKind.OFFLINE, started_at=timezone.now())
    send(incident, theirs)
    line = page.locator(f'#incident-alerts li[data-incident="{incident.pk}"]')
    line.wait_for(timeout=5_000)
    assert line.inner_text().startswith("Pabiržė – mokykla: Vaizdas sustingęs")  # the page's language
    assert page.locator("#incident-alerts li").count() == 1  # not the other eldership's

    Incident.objects.filter(pk=incident.pk).update(ended_at=timezone.now())
    send(incident)
    line.wait_for(state="detached", timeout=5_000)
    assert page.locator("#incident-alerts").is_hidden()
    assert page.evaluate("window.notReloaded") is True


def test_the_timeline_shows_an_incident_and_its_page_takes_an_acknowledgement(page, web):
    camera = CameraFactory(name="Vytauto g. 1")
    operator = make_user("operator", OPERATOR, elderships=[camera.eldership])
    now = timezone.now()
    incident = Incident.objects.create(
        camera=camera,
        kind=IncidentKind.OFFLINE,
        started_at=now - timedelta(minutes=50),
        ended_at=now - timedelta(minutes=20),
    )
    page.context.add_cookies([session_cookie(operator, web.url)])
    day = local(incident.started_at).date().isoformat()  # the band is on the day it started
    page.goto(f"{web.url}/dashboard/cameras/{camera.pk}/playback/?date={day}")
    band = page.locator(".timeline .range.incident")
    band.wait_for(state="attached")
    assert "Kamera neveikia" in band.get_attribute("title")

    page.goto(f"{web.url}/incidents/{incident.pk}/")
    page.fill("textarea[name=note]", "Pakeistas maitinimo blokas")
    page.click("form.acknowledge [type=submit]")
    page.wait_for_selector("#incident-note")
    assert "Pakeistas maitinimo blokas" in page.inner_text("#incident-note")
    incident.refresh_from_db()
    assert incident.acknowledged_by == operator
