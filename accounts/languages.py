"""A user's preferred language (accounts.Profile): the language of the emails written to them and, from
their login on, of their pages. Without a choice of their own, the installation's (LANGUAGE_CODE)."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpResponse

from .models import Profile


def preferred_language(user: Any) -> str:
    """The language to write to this user in."""
    if user is None or getattr(user, "pk", None) is None:
        return settings.LANGUAGE_CODE
    language = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return language or settings.LANGUAGE_CODE


def languages_by_email(addresses: Iterable[str]) -> dict[str, str]:
    """The language of each address: its active user's, else the installation's (an address of no user,
    such as INCIDENT_ALERT_EMAILS). An address shared by users of different languages takes the first's."""
    wanted = set(addresses)
    found: dict[str, str] = {}
    users = get_user_model().objects.filter(is_active=True, email__in=wanted).order_by("pk")
    for email, language in users.values_list("email", "profile__language"):
        found.setdefault(email, language or settings.LANGUAGE_CODE)
    return {address: found.get(address, settings.LANGUAGE_CODE) for address in wanted}


def set_preferred_language(user: Any, language: str) -> None:
    """Store the user's choice ("" for the installation's language)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValueError(f"unknown language {language!r}")
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def language_on_login(user: Any) -> str:
    """The language the pages take from this user's login: their own choice, or "" (none made: the
    browser's choice, cookie or Accept-Language, stands)."""
    return Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first() or ""


def remember_on_response(response: HttpResponse, language: str) -> HttpResponse:
    """Set the language cookie that LocaleMiddleware reads: the pages from this response on are in it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
