"""Admin of operator scopes (which elderships an Operator sees) and of users (who may grant what)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .models import OperatorScope
from .roles import ADMINISTRATOR


@admin.register(OperatorScope)
class OperatorScopeAdmin(admin.ModelAdmin):
    list_display = ["user"]
    filter_horizontal = ["elderships"]
    autocomplete_fields = ["user"]


class VmsUserAdmin(UserAdmin):
    """Users: only a superuser changes superuser or staff status, permissions, or a staff member's roles.

    An Administrator (auth.change_user) manages the accounts of the municipal staff, but could otherwise
    tick "superuser status" on their own account, give themselves any permission, or make anyone an
    Administrator: the escalation the roles exist to prevent."""

    _SUPERUSER_ONLY = ("is_superuser", "is_staff", "user_permissions")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # What the system records is not edited by hand (the form would also cut off the microseconds).
        fields = [*super().get_readonly_fields(request, obj), "last_login", "date_joined"]
        if request.user.is_superuser:
            return fields
        fields += self._SUPERUSER_ONLY
        if obj is not None and (
            obj.is_staff
            or obj.is_superuser
            or obj.pk == request.user.pk
            or obj.groups.filter(name=ADMINISTRATOR).exists()
        ):
            fields.append("groups")  # the roles of staff (Administrators) and one's own
        return fields

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "groups" and not request.user.is_superuser:
            # The Administrator role makes staff (admin access): only a superuser gives it.
            kwargs["queryset"] = Group.objects.exclude(name=ADMINISTRATOR)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A superuser's account (password included) is changed by superusers only.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, VmsUserAdmin)


class VmsTokenAdmin(TokenAdmin):
    """API tokens: listed and revoked here, issued only by POST /api/token/ from the owner's own session
    (with two factors where the role needs them), never made for someone else; the keys are not shown."""

    list_display = ("user", "created")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


admin.site.unregister(TokenProxy)
admin.site.register(TokenProxy, VmsTokenAdmin)
