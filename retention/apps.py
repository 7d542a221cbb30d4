"""App config for retention."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention and holds")

    def ready(self) -> None:
        # Imported once the models are loaded (as Django requires of code that uses them), not to dodge a cycle.
        from integrity.reconcile import register_deletion_check

        from .services import was_deleted

        # Integrity sits below retention: its reconciler learns of retention's deletions through this.
        register_deletion_check(was_deleted)
