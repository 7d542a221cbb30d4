"""Admin of operator scopes (which elderships an Operator sees) and of users (who may grant what, and each
user's preferred language)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .models import OperatorScope, Profile
from .roles import ADMINISTRATOR


@admin.register(OperatorScope)
class OperatorScopeAdmin(admin.ModelAdmin):
    list_display = ["user"]
    filter_horizontal = ["elderships"]
    autocomplete_fields = ["user"]


class ProfileInline(admin.StackedInline):
    """The user's preferred language (the language of their emails), on the user's page."""

    model = Profile
    can_delete = False
    extra = 1
    max_num = 1
    fields = ["language"]


class VmsUserAdmin(UserAdmin):
    """Users: only a superuser changes superuser or staff status, permissions, or a staff member's roles.

    An Administrator (auth.change_user) manages the accounts of the municipal staff, but could otherwise
    tick "superuser status" on their own account, give themselves any permission, or make anyone an
    Administrator: the escalation the roles exist to prevent."""

    _SUPERUSER_ONLY = ("is_superuser", "is_staff", "user_permissions")
    inlines = [ProfileInline]
    # The add form takes the name, email and role too: one save makes a user ready to invite.
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        (gettext_lazy("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (gettext_lazy("Roles"), {"fields": ("groups",)}),
    )

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

    @staticmethod
    def _out_of_reach(request: HttpRequest, obj: Any) -> bool:
        """Another staff member's or a superuser's account (password included) is a superuser's business:
        an Administrator taking over a colleague's account would take over their second factor's role."""
        if obj is None or request.user.is_superuser:
            return False
        return obj.is_superuser or (obj.is_staff and obj.pk != request.user.pk)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._out_of_reach(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._out_of_reach(request, obj) and super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The "delete selected" action checks the model permission only, not each object's.
        if any(self._out_of_reach(request, user) for user in queryset):
            raise PermissionDenied(_("Only a superuser deletes the account of a superuser or another staff member."))
        super().delete_queryset(request, queryset)


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
