"""The main menu shows each user only the pages their role can open: every link answers, none is a 403."""

import re

import pytest
from django.test import Client

from accounts.roles import ADMINISTRATOR, OPERATOR, POLICE, REVIEWER
from tests.factories import CameraFactory
from tests.support.auth import log_in_verified, make_user

pytestmark = pytest.mark.django_db

STAFF_LINKS = ["/dashboard/", "/dashboard/map/", "/dashboard/live/", "/dashboard/sync/", "/reports/uptime/"]


def menu(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="Main menu">(.*?)</nav>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.parametrize(
    "role, home, expected",
    [
        (OPERATOR, "/dashboard/", [*STAFF_LINKS, "/incidents/"]),
        (REVIEWER, "/dashboard/", [*STAFF_LINKS, "/requests/", "/incidents/"]),
        (ADMINISTRATOR, "/dashboard/", [*STAFF_LINKS, "/requests/", "/incidents/"]),
        (POLICE, "/requests/", ["/requests/"]),
    ],
)
def test_each_role_sees_only_links_it_can_open(role, home, expected):
    camera = CameraFactory()
    user = make_user(role.lower(), role, elderships=[camera.eldership] if role == OPERATOR else ())
    client = log_in_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), user)
    landing = client.get("/", follow=True)
    assert landing.redirect_chain[-1][0] == home
    links = menu(landing.content.decode())
    assert links == expected
    for link in links:
        assert client.get(link).status_code == 200, link
