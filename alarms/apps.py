"""App config for alarms."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from cameras.signals import camera_decommissioned


class AlarmsConfig(AppConfig):
    name = "alarms"
    verbose_name = _("Alarms")

    def ready(self) -> None:
        from .services import end_alarms_of_decommissioned  # uses the models: imported once they are loaded

        camera_decommissioned.connect(end_alarms_of_decommissioned, dispatch_uid="alarms.end_of_decommissioned")
