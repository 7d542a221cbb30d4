"""Dashboard pages answer bad input with clear messages, never a 500."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.roles import OPERATOR
from recordings.models import Segment
from tests.factories import CameraFactory, EldershipFactory
from tests.support.auth import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def camera():
    return CameraFactory(name="Pabiržė bus stop")


@pytest.fixture
def operator(client, camera):
    user = make_user("operator", OPERATOR, elderships=[camera.eldership])
    client.force_login(user)
    return user


def text(response):
    return response.content.decode()


def test_the_overview_lists_the_cameras_by_eldership(client, operator, camera):
    response = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="lt")
    assert response.status_code == 200
    assert "Pabiržė bus stop" in text(response) and camera.eldership.name in text(response)


def test_pages_need_a_login(client, camera):
    response = client.get(f"/dashboard/cameras/{camera.pk}/playback/")
    assert response.status_code == 302


def test_a_camera_the_user_may_not_see_is_a_clear_404(client, operator):
    other = CameraFactory(eldership=EldershipFactory())
    for url in (f"/dashboard/cameras/{other.pk}/playback/", f"/dashboard/cameras/{other.pk}/live/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "does not exist or you may not see it" in text(response)
    response = client.get(f"/dashboard/sync/?cameras={other.pk}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404 and "does not exist or you may not see it" in text(response)


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ({"date": "2026-03-29", "time": "03:30"}, 400, "does not exist in Vilnius"),
        ({"date": "2026-10-25", "time": "03:30"}, 200, "occurs twice"),
        ({"date": "29.03.2026", "time": "03:30"}, 400, "is not a date"),
        ({"date": "2026-06-13", "time": "25:99"}, 400, "is not a time"),
        ({"date": "2026-06-13", "time": "22:10"}, 200, "There is no footage on 2026-06-13"),
    ],
)
def test_bad_dates_and_times_give_a_message(client, operator, camera, query, status, message):
    response = client.get(f"/dashboard/cameras/{camera.pk}/playback/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == status
    assert message in text(response)


def test_the_repeated_october_hour_offers_both_offsets(client, operator, camera):
    response = client.get(
        f"/dashboard/cameras/{camera.pk}/playback/", {"date": "2026-10-25", "time": "03:30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "EEST (UTC+3)" in text(response) and "EET (UTC+2)" in text(response)
    chosen = client.get(
        f"/dashboard/cameras/{camera.pk}/playback/",
        {"date": "2026-10-25", "time": "03:30", "fold": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    target = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert chosen.context["player_config"]["target_ms"] == round(target.timestamp() * 1000)


def test_a_day_with_footage_has_no_notice(client, operator, camera):
    start = datetime(2026, 6, 13, 19, 10, tzinfo=UTC)
    Segment.objects.create(
        camera=camera, start=start, end=start + timedelta(seconds=4), bytes=1, sha256="0" * 64,
        path="x.ts", node="n", codec="h264", width=2, height=2,
    )  # fmt: skip
    response = client.get(f"/dashboard/cameras/{camera.pk}/playback/", {"date": "2026-06-13", "time": "22:10"})
    assert response.context["notice"] == "" and response.context["error"] == ""


def test_lithuanian_is_the_default_language(client, operator, settings):
    settings.LANGUAGE_CODE = "lt"
    response = client.get("/dashboard/")
    assert "Ar visos kameros įrašo?" in text(response)
    english = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Is every camera recording?" in text(english)


def test_synchronised_playback_without_a_choice_shows_the_cameras_of_one_eldership(admin_client):
    first, second = EldershipFactory(name="A eldership"), EldershipFactory(name="B eldership")
    cameras = [CameraFactory(eldership=first), CameraFactory(eldership=second)]
    response = admin_client.get("/dashboard/sync/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, text(response)[:300]
    assert [c.pk for c in response.context["cameras"]] in ([cameras[0].pk], [cameras[1].pk])
