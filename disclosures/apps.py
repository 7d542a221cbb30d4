from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosuresConfig(AppConfig):
    name = "disclosures"
    verbose_name = _("Footage requests")

    def ready(self) -> None:
        from . import signals  # noqa: F401 - connects the receiver
