"""With DEBUG off, 400, 403, 404 and 500 answer with the project's own pages, in the visitor's language,
with a link back to the dashboard and nothing of the error's internals."""

import pytest
from django.template import loader
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.support.failing_urls import SECRET_DETAIL

HEADINGS = {400: "Bad request", 403: "No access", 404: "Not found", 500: "Server error"}
LANGUAGES = ["lt", "en", "lv"]


def fetch(status: int, language: str, client: Client | None = None):
    client = client or Client(raise_request_exception=False)
    path = "/no/such/page/" if status == 404 else f"/fail/{status}"
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language)


def assert_error_page(response, status: int, language: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    with translation.override(language):
        heading = translation.gettext(HEADINGS[status])
        back = translation.gettext("Back to the overview")
    if language != "en":
        assert heading != HEADINGS[status], f"{HEADINGS[status]!r} is not translated into {language}"
    assert f'lang="{language}"' in page
    assert heading in page
    assert back in page
    assert f'href="{reverse("dashboard:overview")}"' in page
    assert "Traceback" not in page
    assert SECRET_DETAIL not in page


@pytest.mark.urls("tests.support.failing_urls")
@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("status", [400, 403, 404, 500])
def test_each_error_page_answers_in_the_visitors_language(settings, status, language):
    settings.DEBUG = False
    assert_error_page(fetch(status, language), status, language)


@pytest.mark.urls("tests.support.failing_urls")
@pytest.mark.django_db
@pytest.mark.parametrize("status", [403, 404])
def test_a_signed_in_person_gets_the_shared_layout_with_the_menu(settings, status, admin_client):
    settings.DEBUG = False
    client = admin_client
    client.raise_request_exception = False
    response = fetch(status, "lt", client)
    assert_error_page(response, status, "lt")
    assert reverse("dashboard:map") in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_a_form_sent_without_its_csrf_token_gets_the_expired_form_page(settings, language):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    page = response.content.decode()
    with translation.override(language):
        heading = translation.gettext("The form has expired")
    if language != "en":
        assert heading != "The form has expired"
    assert heading in page
    assert f'lang="{language}"' in page
    assert "CSRF" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_500_page_renders_without_a_request_or_context(language):
    with translation.override(language):
        page = loader.get_template("500.html").render()
        assert translation.gettext("Server error") in page
    assert f'lang="{language}"' in page
