"""Which elderships an Operator may see, and each user's own settings (their preferred language)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OperatorScope(models.Model):
    """The elderships whose cameras a user with the Operator role may see."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_scope", verbose_name=_("user")
    )
    elderships = models.ManyToManyField(
        "eldership.Eldership", related_name="operator_scopes", blank=True, verbose_name=_("elderships")
    )

    class Meta:
        verbose_name = _("operator scope")
        verbose_name_plural = _("operator scopes")

    def __str__(self) -> str:
        return str(self.user)


def language_choices() -> list[tuple[str, Any]]:
    """The languages a user may prefer; empty: the installation's."""
    return [("", _("the installation's language")), *settings.LANGUAGES]


class Profile(models.Model):
    """A user's own settings: the language of their emails and, from their login on, of the pages."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    # Empty: the installation's language (LANGUAGE_CODE), which follows the installation if it changes.
    language = models.CharField(
        _("preferred language"),
        max_length=8,
        blank=True,
        choices=language_choices,
        help_text=_("Emails are written in this language, and the pages are shown in it after login."),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)
