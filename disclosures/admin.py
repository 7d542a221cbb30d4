"""Police users created and edited with their details (organisation, position, service number) in one save,
and invited by email; requests and their custody chains, read-only (they change only through the workflow)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import VmsUserAdmin
from accounts.roles import POLICE
from birzai_vms.readonly_admin import ReadOnlyAdmin

from .invite import send_invitation
from .models import CustodyEvent, DisclosureRequest, PoliceProfile


class PoliceProfileFormSet(BaseInlineFormSet):
    """A user given the Police role needs the officer's details in the same save: a package names them."""

    # False where the user form shows the roles read-only (accounts/admin.py): the saved roles count then.
    roles_posted = True

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or not self._police_chosen():
            return
        if not any(form.instance.pk or form.has_changed() for form in self.forms):
            raise ValidationError(
                _("A user with the Police role needs the officer's details: organisation, position and service number.")
            )

    def _police_chosen(self) -> bool:
        if self.roles_posted:
            ids = [value for value in self.data.getlist("groups") if value.isdigit()]
            return Group.objects.filter(name=POLICE, pk__in=ids).exists()
        return self.instance.pk is not None and self.instance.groups.filter(name=POLICE).exists()


class PoliceProfileInline(admin.StackedInline):
    """On every user's page, the add form included: one save creates a Police user, the role and the details."""

    model = PoliceProfile
    formset = PoliceProfileFormSet
    can_delete = False
    filter_horizontal = ["elderships"]
    extra = 1
    max_num = 1
    verbose_name_plural = gettext_lazy("police officer's details (Police users only)")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        user_admin = self.admin_site.get_model_admin(self.parent_model)
        formset.roles_posted = "groups" not in user_admin.get_readonly_fields(request, obj)
        return formset


class UserWithPoliceAdmin(VmsUserAdmin):
    """The user admin with the officer's details on the same page (add form too), and an invitation action."""

    actions = [*(VmsUserAdmin.actions or []), "invite"]
    inlines = [*VmsUserAdmin.inlines, PoliceProfileInline]

    @admin.action(description=gettext_lazy("Invite: email a link to set the password"), permissions=["change"])
    def invite(self, request: HttpRequest, queryset: Any) -> None:
        sent = 0
        for user in queryset:
            if not user.email:
                self.message_user(
                    request, _("%(user)s has no email address.") % {"user": user.get_username()}, messages.ERROR
                )
                continue
            if self._out_of_reach(request, user):
                continue
            send_invitation(user)
            sent += 1
        self.message_user(request, _("%(n)d invitation(s) sent.") % {"n": sent})


User = get_user_model()
admin.site.unregister(User)
admin.site.register(User, UserWithPoliceAdmin)


class CustodyInline(admin.TabularInline):
    model = CustodyEvent
    extra = 0
    can_delete = False
    fields = ["at", "event", "user", "ip", "detail"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DisclosureRequest)
class DisclosureRequestAdmin(ReadOnlyAdmin):
    list_display = ["pk", "kind", "state", "requester", "case_number", "start", "end", "submitted_at"]
    list_filter = ["kind", "state"]
    search_fields = ["case_number", "requester__username"]
    inlines = [CustodyInline]
