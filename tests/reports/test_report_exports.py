"""The report page, its CSV and its PDF: what staff get, in their language, and what a bad filter answers."""

import csv
import io
import subprocess
from datetime import UTC, datetime

import pytest
from django.test import Client

from accounts.roles import ADMINISTRATOR, OPERATOR, POLICE, REVIEWER
from tests.reports.world import DST_DAY_END, DST_DAY_START, build, plain_recorded
from tests.support.auth import log_in_verified, make_user

pytestmark = pytest.mark.django_db
URL, CSV_URL, PDF_URL = "/reports/uptime/", "/reports/uptime/csv/", "/reports/uptime/pdf/"
DST_DAY = {"period": "day", "date": "2026-10-25"}


@pytest.fixture
def world():
    return build()


@pytest.fixture
def reviewer(world):
    return log_in_verified(Client(), make_user("perziuretoja", REVIEWER))


def rows_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_csv_has_a_row_per_camera_eldership_and_total_with_the_rows_figures(world, reviewer):
    response = reviewer.get(CSV_URL, DST_DAY, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="uptime-20261025-20261025.csv"'
    header, *rows = rows_of(response)
    col = {name: i for i, name in enumerate(header)}
    assert {"Uptime (%)", "Gaps: Camera unreachable", "Gap hours: Storage error", "Days of footage held"} <= col.keys()
    by_camera = {row[col["Camera"]]: row for row in rows if row[0] == "camera"}
    a = by_camera[world.cam_a.name]
    recorded = plain_recorded(world.cam_a, DST_DAY_START, DST_DAY_END)
    assert a[col["Wall time (h)"]] == "25.00"
    assert a[col["Recorded (h)"]] == f"{recorded / 3600:.2f}"
    assert a[col["Uptime (%)"]] == f"{recorded / 90000 * 100:.2f}"
    b = by_camera[world.cam_b.name]
    assert (b[col["Gaps: Camera unreachable"]], b[col["Gap hours: Camera unreachable"]]) == (
        "2",
        f"{(6660 + 1800) / 3600:.2f}",
    )
    assert (b[col["Incidents"]], b[col["Acknowledged"]], b[col["Mean time to acknowledge (min)"]]) == ("2", "1", "3.0")
    assert [row[0] for row in rows] == ["camera"] * 3 + ["eldership"] * 2 + ["total"]
    assert rows[-1][col["Wall time (h)"]] == "75.00"


def test_the_csv_and_page_speak_lithuanian_and_latvian(world, reviewer):
    lt = rows_of(reviewer.get(CSV_URL, DST_DAY, HTTP_ACCEPT_LANGUAGE="lt"))
    lv = rows_of(reviewer.get(CSV_URL, DST_DAY, HTTP_ACCEPT_LANGUAGE="lv"))
    assert lt[0][1] == "Seniūnija" and lt[1][1] == "Pačeriaukštės"
    assert lv[0][1] == "Pagasts"
    page = reviewer.get(URL, DST_DAY, HTTP_ACCEPT_LANGUAGE="lv")
    assert page.status_code == 200 and "Darbspējas pārskats" in page.content.decode()


def test_the_pdf_renders_its_pages_with_lithuanian_and_latvian_letters(world, reviewer, tmp_path):
    for language in ("lt", "lv"):
        response = reviewer.get(PDF_URL, {"period": "month", "month": "2026-10"}, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        pdf = tmp_path / f"report-{language}.pdf"
        pdf.write_bytes(response.content)
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert pages >= 1
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / language)], check=True, timeout=60)
        pngs = sorted(tmp_path.glob(f"{language}-*.png"))
        assert len(pngs) == pages and all(p.stat().st_size > 1000 for p in pngs)
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "Pačeriaukštės" in text and "Širvėnos" in text
        assert ("Veikimo ataskaita" if language == "lt" else "Darbspējas pārskats") in text
        fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
        assert "DejaVu" in fonts


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"period": "week"}, "Choose a day, a month or a range"),
        ({"period": "day", "date": "2026-02-30"}, "is not a date"),
        ({"period": "day", "date": "0001-01-01"}, "Times must lie between"),
        ({"period": "month", "month": "2026-13"}, "is not a month"),
        ({"period": "month", "month": "0000-01"}, "Times must lie between"),
        ({"period": "range", "from": "2026-10-05", "to": "2026-10-01"}, "comes before"),
        ({"period": "range", "from": "2025-01-01", "to": "2026-10-01"}, "at most 366 days"),
        ({"period": "range", "from": "2026-10-01"}, "Enter a date"),
        ({"eldership": "١"}, "no such eldership"),
        ({"camera": "x"}, "whole numbers"),
    ],
)
def test_a_bad_filter_is_a_400_with_a_message_on_the_page_and_the_exports(world, reviewer, query, message):
    for url in (URL, CSV_URL, PDF_URL):
        response = reviewer.get(url, query, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400, (url, response.status_code)
        assert message in response.content.decode()


def test_police_and_users_without_a_role_are_refused_and_anonymous_users_log_in(world):
    for user in (make_user("policija", POLICE), make_user("niekas")):
        client = log_in_verified(Client(), user)
        for url in (URL, CSV_URL, PDF_URL):
            response = client.get(url, DST_DAY)
            assert response.status_code == 403 and b"Pa\xc4\x8deriauk" not in response.content
    response = Client().get(CSV_URL, DST_DAY)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_operator_sees_the_cameras_of_their_elderships_only(world):
    client = log_in_verified(Client(), make_user("operatore", OPERATOR, elderships=[world.south]))
    rows = rows_of(client.get(CSV_URL, DST_DAY, HTTP_ACCEPT_LANGUAGE="en"))
    assert {row[2] for row in rows[1:] if row[0] == "camera"} == {world.cam_c.name}
    page = client.get(URL, DST_DAY)
    assert world.cam_a.name not in page.content.decode()
    # Another eldership's camera or eldership is not found, as if it did not exist.
    assert client.get(URL, {**DST_DAY, "camera": world.cam_a.pk}).status_code == 404
    assert client.get(CSV_URL, {**DST_DAY, "eldership": world.north.pk}).status_code == 404
    assert client.get(URL, {**DST_DAY, "camera": 999999}).status_code == 404


def test_an_administrator_filters_by_eldership_and_camera(world):
    client = log_in_verified(Client(), make_user("administratore", ADMINISTRATOR))
    rows = rows_of(client.get(CSV_URL, {**DST_DAY, "eldership": world.north.pk}, HTTP_ACCEPT_LANGUAGE="en"))
    assert {row[2] for row in rows if row[0] == "camera"} == {world.cam_a.name, world.cam_b.name}
    response = client.get(CSV_URL, {**DST_DAY, "camera": world.cam_b.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Disposition"].endswith(f'-camera{world.cam_b.pk}.csv"')
    assert {row[2] for row in rows_of(response) if row[0] == "camera"} == {world.cam_b.name}
    mismatch = client.get(
        URL, {**DST_DAY, "camera": world.cam_c.pk, "eldership": world.north.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert mismatch.status_code == 400 and "not in the chosen eldership" in mismatch.content.decode()


def test_a_period_without_cameras_in_service_says_so(world, reviewer):
    response = reviewer.get(URL, {"period": "day", "date": "2026-01-05"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "No camera was in service in this period." in response.content.decode()
    assert datetime.now(UTC)  # the page did not need today's date to say it
