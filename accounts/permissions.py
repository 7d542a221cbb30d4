"""API permission: reading a model needs its view permission (which the roles grant)."""

from rest_framework.permissions import DjangoModelPermissions


class ModelViewPermission(DjangoModelPermissions):
    """Like DjangoModelPermissions, but reading also needs app.view_model: Police get 403, not a list."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }
