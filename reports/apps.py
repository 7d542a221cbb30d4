from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reinstall_triggers(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """A recordings migration that rebuilds the segment table drops its triggers: put them back."""
    from . import triggers

    if sender.name == "reports":
        triggers.install(connections[using])


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        post_migrate.connect(_reinstall_triggers, sender=self)
