"""App config for elderships."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EldershipConfig(AppConfig):
    name = "eldership"
    verbose_name = _("Elderships")
