"""Which elderships an Operator may see."""

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
