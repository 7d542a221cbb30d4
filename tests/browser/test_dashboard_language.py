"""The Lithuanian and Latvian dashboards have no English left on their main pages; bad input gives clear
messages."""

import re

import pytest

from accounts.roles import OPERATOR
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import make_user
from tests.support.webserver import session_cookie

pytestmark = [pytest.mark.browser]

WORD = re.compile(r"[A-Za-zĄČĘĖĮŠŲŪŽąčęėįšųūžĀĒĢĪĶĻŅāēģīķļņ]{3,}")
# Names, units and codes that are the same in every language (the language switch names each language
# in its own; "Natural Earth" is the map data's source; PgUp and PgDn are the keys' labels; "Incidents" is
# Latvian for one incident and English for several).
SAME_IN_BOTH = {
    "MP4",
    "EEST",
    "EET",
    "UTC",
    "GMT",
    "kbit",
    "English",
    "Lietuviškai",
    "latviešu",
    "Leaflet",
    "Biržai",
    "Natural",
    "Earth",
    "PgUp",
    "PgDn",
    "Incidents",
}


def words(page, url):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return set(WORD.findall(page.inner_text("body")))


def test_the_lithuanian_and_latvian_pages_have_no_english_text(capture_stack, page, web):
    eldership = EldershipFactory(name="Pabiržės", code="pabirzes")
    cameras = [
        CameraFactory(eldership=eldership, name=f"Pabiržė {n}", place="Stotelė", latitude="56.1", longitude="24.9")
        for n in (1, 2)
    ]
    operator = make_user("operatorius", OPERATOR, elderships=[eldership])
    data_words = set(
        WORD.findall(" ".join([eldership.name, "operatorius", *(c.name + " " + c.place for c in cameras)]))
    )
    page.context.add_cookies([session_cookie(operator, web.url)])
    pages = [
        "/dashboard/",
        "/dashboard/map/",
        f"/dashboard/live/?eldership={eldership.pk}",
        f"/dashboard/cameras/{cameras[0].pk}/live/",
        f"/dashboard/cameras/{cameras[0].pk}/playback/?date=2026-06-13&time=22:10",
        f"/dashboard/sync/?eldership={eldership.pk}&cameras={cameras[0].pk},{cameras[1].pk}&date=2026-06-13",
    ]
    lithuanian = {url: words(page, web.url + url) for url in pages}
    page.context.add_cookies([{"name": "django_language", "value": "lv", "url": web.url}])
    latvian = {url: words(page, web.url + url) for url in pages}
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": web.url}])
    english = {url: words(page, web.url + url) for url in pages}
    for url in pages:
        assert "Apžvalga" in lithuanian[url] and "Pārskats" in latvian[url] and "Overview" in english[url]
        for language in (lithuanian, latvian):
            untranslated = (language[url] & english[url]) - data_words - SAME_IN_BOTH
            assert not untranslated, f"{url}: {sorted(untranslated)}"


def test_bad_input_gives_clear_messages_in_lithuanian(capture_stack, page, web):
    camera = CameraFactory()
    hidden = CameraFactory(eldership=EldershipFactory())
    operator = make_user("operatorius", OPERATOR, elderships=[camera.eldership])
    page.context.add_cookies([session_cookie(operator, web.url)])
    base = f"{web.url}/dashboard/cameras/{camera.pk}/playback/"

    page.goto(f"{base}?date=2026-03-29&time=03:30")
    assert "Vilniuje nebūna" in page.inner_text("#form-error")
    page.goto(f"{base}?date=2026-10-25&time=03:30")
    assert "du kartus" in page.inner_text("#form-error")
    assert page.locator("#fold option").all_inner_texts() == ["EEST (UTC+3)", "EET (UTC+2)"]
    page.goto(f"{base}?date=2026-06-13&time=22:10")
    assert "2026-06-13 įrašų nėra" in page.inner_text("#form-notice")
    page.wait_for_selector("#player-notice:not([hidden])")
    response = page.goto(f"{web.url}/dashboard/cameras/{hidden.pk}/playback/")
    assert response.status == 404
    assert "neleidžiama jos matyti" in page.inner_text("main")


def test_the_october_timeline_tells_the_two_repeated_hours_apart(capture_stack, page, web):
    camera = CameraFactory()
    operator = make_user("operatorius", OPERATOR, elderships=[camera.eldership])
    page.context.add_cookies([session_cookie(operator, web.url)])
    page.goto(f"{web.url}/dashboard/cameras/{camera.pk}/playback/?date=2026-10-25&time=12:00")
    page.wait_for_selector(".timeline[data-ready='1']")
    ticks = page.locator(".timeline .ticks span").all_inner_texts()
    assert len(ticks) == 25
    assert [t for t in ticks if t.startswith("03")] == ["03 (+3)", "03 (+2)"]
    titles = page.locator(".timeline .ticks span[title]").evaluate_all("nodes => nodes.map(n => n.title)")
    assert titles == ["03 UTC+3", "03 UTC+2"]
    assert "04" in ticks and "02" in ticks  # the other hours stay short
