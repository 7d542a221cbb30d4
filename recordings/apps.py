"""App config for recordings."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cameras import recorder


class RecordingsConfig(AppConfig):
    name = "recordings"
    verbose_name = _("Recordings")

    def ready(self) -> None:
        # Imported once the models are loaded (as Django requires of code that uses them), not to dodge a cycle.
        from . import worker  # noqa: F401  (stops the recorders on a worker's warm shutdown)
        from .probe import probe_camera
        from .tasks import dispatch_after_commit

        # The cameras admin tests connections and starts recorders through these; cameras sits below.
        recorder.register(probe=probe_camera, wake=dispatch_after_commit)
