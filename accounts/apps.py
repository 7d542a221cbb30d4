"""Accounts: roles, eldership scope, login with two factors and lockout."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the login and role-change audit handlers)
