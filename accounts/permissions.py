"""API permissions: reading a model needs its view permission (which the roles grant)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission, DjangoModelPermissions

from .services import browses_cameras


class ModelViewPermission(DjangoModelPermissions):
    """Like DjangoModelPermissions, but reading also needs app.view_model: Police get 403, not a list."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class BrowsesCameras(BasePermission):
    """For endpoints about cameras' footage that have no model permission of their own (holds,
    deleted ranges, timeline, storage, alarms): Police and users without a role get 403, not an empty answer;
    anonymous requests are refused as unauthenticated, as DRF does for any failed permission."""

    message = _("Your role does not give access to cameras.")

    def has_permission(self, request: Any, view: Any) -> bool:
        return browses_cameras(request.user)


class ActionPermission(BasePermission):
    """The permission a viewset's action needs, from its `action_permissions` ({"create": "app.add_model"});
    actions not listed need nothing beyond the other permission classes."""

    message = _("Your role does not allow this.")

    def has_permission(self, request: Any, view: Any) -> bool:
        needed = getattr(view, "action_permissions", {}).get(getattr(view, "action", None))
        return needed is None or request.user.has_perm(needed)
