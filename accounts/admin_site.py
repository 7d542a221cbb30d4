"""The admin site: two factors for the roles that need them, and every configuration change audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_mixins import AuditedAdminMixin

from .forms import AdminOTPLoginForm
from .services import two_factor_satisfied


class VmsAdminSite(admin.AdminSite):
    site_header = "Biržai VMS"
    site_title = "Biržai VMS"
    login_form = AdminOTPLoginForm
    login_template = "accounts/admin_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and two_factor_satisfied(request.user)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        # Every ModelAdmin, also of third-party apps, gets the audit mixin: none can be forgotten.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditedAdminMixin):
            admin_class = type(
                admin_class.__name__, (AuditedAdminMixin, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)
