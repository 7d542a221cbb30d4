"""Police users edited with their details (organisation, position, service number) and invited by email;
requests and their custody chains, read-only (they change only through the workflow)."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.admin import VmsUserAdmin
from accounts.roles import POLICE
from birzai_vms.readonly_admin import ReadOnlyAdmin

from .invite import send_invitation
from .models import CustodyEvent, DisclosureRequest, PoliceProfile


class PoliceProfileInline(admin.StackedInline):
    model = PoliceProfile
    can_delete = False
    filter_horizontal = ["elderships"]
    extra = 0
    max_num = 1


class UserWithPoliceAdmin(VmsUserAdmin):
    """The user admin with the officer's details on the same page, and an invitation action."""

    actions = [*(VmsUserAdmin.actions or []), "invite"]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        # The officer's details belong to Police users only: give the role, save, then fill them in.
        inlines = list(super().get_inlines(request, obj))
        if obj is not None and (
            obj.groups.filter(name=POLICE).exists() or PoliceProfile.objects.filter(user=obj).exists()
        ):
            inlines.append(PoliceProfileInline)
        return inlines

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
