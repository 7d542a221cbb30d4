"""The public camera register: no login, each language, as a page and as CSV; decommissioned cameras apart
while their footage may be held, then not at all; the seed gives every camera a purpose and legal basis."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cameras import choices
from cameras.models import Camera
from tests.factories import CameraFactory, EldershipFactory

pytestmark = pytest.mark.django_db
PAGE, CSV_URL = "/reports/register/", "/reports/register/csv/"
TEXTS = {
    "en": ("Camera register", "Safety of passengers at public transport stops", "GDPR Art. 6(1)(e)"),
    "lt": ("Kamerų registras", "Keleivių saugumas viešojo transporto stotelėse", "BDAR 6 str. 1 d. e p."),
    "lv": ("Kameru reģistrs", "Pasažieru drošība sabiedriskā transporta pieturās", "VDAR 6. panta 1. punkta"),
}


@pytest.fixture
def cameras():
    eldership = EldershipFactory(name="Nemunėlio Radviliškio", code="nemunelio-radviliskio")
    stop = CameraFactory(
        eldership=eldership,
        name="Nemunėlio Radviliškio – Autobusų stotelė",
        place="Autobusų stotelė",
        latitude="56.396400",
        longitude="24.469400",
        purpose=choices.PURPOSE_TRANSPORT,
        legal_basis=choices.BASIS_PUBLIC_INTEREST,
        retention_days=31,
    )
    own = CameraFactory(eldership=eldership, name="Ūkio kiemas", purpose="=Ūkio turto apsauga", legal_basis="Sutartis")
    gone = CameraFactory(eldership=eldership, name="Senoji aikštė", retention_days=30)
    Camera.objects.filter(pk=gone.pk).update(enabled=False, decommissioned_at=timezone.now() - timedelta(days=10))
    long_gone = CameraFactory(eldership=eldership, name="Buvęs turgus", retention_days=30)
    Camera.objects.filter(pk=long_gone.pk).update(enabled=False, decommissioned_at=timezone.now() - timedelta(days=40))
    return stop, own, gone, long_gone


@pytest.mark.parametrize("language", ["lt", "en", "lv"])
def test_the_register_page_is_public_and_in_each_language(cameras, language):
    stop, own, gone, long_gone = cameras
    response = Client().get(PAGE, {"language": language}, follow=True)
    assert response.redirect_chain == [(PAGE, 302)] and response.status_code == 200
    body = response.content.decode()
    title, purpose, basis = TEXTS[language]
    assert f'<html lang="{language}">' in body and title in body and purpose in body and basis in body
    assert "56.396400, 24.469400" in body and "Ūkio turto apsauga" in body
    assert stop.name in body and gone.name in body and long_gone.name not in body
    assert response.context["active"][-1]["name"] in {stop.name, own.name}
    assert [e["name"] for e in response.context["retired"]] == [gone.name]
    assert gone.name not in [e["name"] for e in response.context["active"]]


@pytest.mark.parametrize("language", ["lt", "en", "lv"])
def test_the_register_csv_lists_each_camera_with_its_status_in_each_language(cameras, language):
    stop, own, gone, long_gone = cameras
    response = Client().get(CSV_URL, {"language": language})
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="camera-register-{language}.csv"'
    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(header) == 12 and len(rows) == 3
    by_name = {row[2]: row for row in rows}
    assert by_name[stop.name][4:9] == ["56.396400", "24.469400", TEXTS[language][1], by_name[stop.name][7], "31"]
    assert by_name[stop.name][7].startswith(TEXTS[language][2])
    assert by_name[own.name][6] == "'=Ūkio turto apsauga"  # a spreadsheet does not run it as a formula
    decommissioned = {"lt": "nurašyta", "en": "decommissioned", "lv": "norakstīta"}[language]
    assert by_name[gone.name][9] == decommissioned and by_name[gone.name][11]
    assert by_name[stop.name][10:] == ["", ""]
    assert long_gone.name not in by_name


def test_the_visitors_own_language_is_used_without_the_parameter(cameras):
    response = Client().get(PAGE, HTTP_ACCEPT_LANGUAGE="lv")
    assert "Kameru reģistrs" in response.content.decode()


def test_a_default_saved_in_lithuanian_is_shown_in_the_readers_language(cameras):
    stop = cameras[0]
    Camera.objects.filter(pk=stop.pk).update(purpose="Viešoji tvarka ir saugumas viešosiose vietose")
    body = Client().get(PAGE, {"language": "en"}, follow=True).content.decode()
    assert "Public order and safety in public places" in body


def test_the_seed_gives_each_camera_a_purpose_and_legal_basis_from_its_place():
    call_command("seed_birzai", cameras=24, stdout=io.StringIO())
    cameras = list(Camera.objects.all())
    assert len(cameras) == 24
    assert all(c.purpose in choices.STANDARD_TEXTS and c.legal_basis in choices.STANDARD_TEXTS for c in cameras)
    purposes = {c.purpose for c in cameras}
    assert {choices.PURPOSE_TRANSPORT, choices.PURPOSE_HERITAGE, choices.PURPOSE_TRAFFIC} <= purposes


def test_the_language_menu_still_works_after_a_link_with_a_language(cameras):
    client = Client()
    client.get(PAGE, {"language": "lv"}, follow=True)
    response = client.post("/i18n/setlang/", {"language": "lt", "next": PAGE}, follow=True)
    assert "Kamerų registras" in response.content.decode()
