"""App config for retention."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = _("Retention and holds")

    def ready(self) -> None:
        # Imported once the models are loaded (as Django requires of code that uses them), not to dodge a cycle.
        from integrity.reconcile import register_deletion_check
        from recordings.capture.chores import on_node_start

        from .services import was_deleted
        from .tasks import relieve_node_disk_pressure

        # Integrity sits below retention: its reconciler learns of retention's deletions through this.
        register_deletion_check(was_deleted)
        # A node that starts looks at its disk at once (it may have filled while the node was down).
        on_node_start(relieve_node_disk_pressure)
