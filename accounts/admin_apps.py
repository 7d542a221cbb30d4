"""The Django admin app, configured to use our admin site (see admin_site.py)."""

from django.contrib.admin.apps import AdminConfig


class VmsAdminConfig(AdminConfig):
    """The Django admin with our site: two factors required, every change audited."""

    default_site = "accounts.admin_site.VmsAdminSite"
