"""A user's preferred language: chosen on their account page, kept on their profile, and the pages are in
it after their login (the language cookie LocaleMiddleware reads). Emails: tests/disclosures/test_email_language.py
and tests/incidents/test_notices.py."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.languages import preferred_language, set_preferred_language
from accounts.models import Profile
from accounts.roles import ADMINISTRATOR, OPERATOR
from tests.support.admin import user_change_form
from tests.support.auth import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return make_user("operatorius", OPERATOR)


def test_without_a_choice_the_installations_language_is_preferred(operator, settings):
    settings.LANGUAGE_CODE = "lt"
    assert preferred_language(operator) == "lt"
    set_preferred_language(operator, "")
    assert preferred_language(operator) == "lt"


def test_the_account_page_saves_the_choice_and_switches_the_pages_to_it(operator, client):
    client.force_login(operator)
    response = client.get("/accounts/account/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and 'name="language"' in response.content.decode()

    response = client.post("/accounts/account/", {"language": "lv"})
    assert response.status_code == 302 and response["Location"] == "/accounts/account/"
    assert Profile.objects.get(user=operator).language == "lv"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "lv"
    assert "Jūsu konts" in client.get("/accounts/account/").content.decode()


def test_an_unknown_language_is_refused_and_nothing_is_saved(operator, client):
    client.force_login(operator)
    response = client.post("/accounts/account/", {"language": "de"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Profile.objects.filter(user=operator).exists()


# Our login page and the admin's: the same receiver of user_logged_in serves both.
LOGIN_PAGES = pytest.mark.parametrize("login_page", ["/accounts/login/", "/admin/login/"], ids=["ours", "admin"])


@pytest.fixture
def staff():
    # Staff, so that the admin's login lets them in; an Administrator must then give a second factor,
    # which is no matter here: the language is set by the login, before that.
    return make_user("administratorius", ADMINISTRATOR)


@LOGIN_PAGES
def test_the_login_sets_the_users_language_for_the_pages(staff, login_page):
    set_preferred_language(staff, "lv")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(login_page, {"username": "administratorius", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "lv"
    assert client.get("/accounts/two-factor/")["Content-Language"] == "lv"


@LOGIN_PAGES
def test_without_a_choice_the_login_leaves_the_browsers_language(staff, login_page):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(login_page, {"username": "administratorius", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert client.get("/accounts/two-factor/")["Content-Language"] == "en"


def test_a_failed_login_sets_no_language(staff):
    set_preferred_language(staff, "lv")
    response = Client().post("/admin/login/", {"username": "administratorius", "password": "wrong", "next": "/"})
    assert response.status_code == 200
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


def test_an_administrator_sets_a_users_language_in_the_admin(operator):
    from django.contrib.auth.models import Group

    from tests.support.auth import log_in_verified

    client = log_in_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), make_user("administratorius", ADMINISTRATOR))
    form = user_change_form(
        operator,
        **{"profile-TOTAL_FORMS": "1", "profile-0-language": "lv", "groups": [Group.objects.get(name=OPERATOR).pk]},
    )
    response = client.post(f"/admin/auth/user/{operator.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert preferred_language(operator) == "lv"
