"""App config for integrity."""

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("Integrity")

    def ready(self) -> None:
        # Imported once the models are loaded (as Django requires of code that uses them).
        from recordings.capture.chores import on_node_start

        from .tasks import reconcile_node

        # A node that starts reconciles its root at once, and again once the files its killed recorders
        # left are older than the settle time (the first run leaves them to a live recorder).
        on_node_start(reconcile_node, 0.0, settings.RECONCILE_SETTLE_SECONDS + 1.0)
