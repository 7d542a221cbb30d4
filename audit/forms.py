"""The audit page's filter form; times are entered in Europe/Vilnius."""

from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from birzai_vms.fields import InstantFormField, StrictFormModelChoiceField
from birzai_vms.localtime import VILNIUS

from .choices import AuditAction
from .models import camera_model


class AuditFilterForm(forms.Form):
    user = StrictFormModelChoiceField(
        queryset=get_user_model().objects.order_by("username"), required=False, label=_("Person")
    )
    camera = StrictFormModelChoiceField(queryset=camera_model().objects.none(), required=False, label=_("Camera"))
    action = forms.ChoiceField(choices=[("", "—"), *AuditAction.choices], required=False, label=_("Action"))
    start = InstantFormField(
        required=False, label=_("From (Vilnius time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = InstantFormField(
        required=False, label=_("Until (Vilnius time)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: object, user: object = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["camera"].queryset = camera_model().objects.visible_to(user)

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in ("start", "end"):
            value: datetime | None = cleaned.get(name)
            if value is not None:
                # Django made it aware in TIME_ZONE (Vilnius); an hour that does not exist is refused there.
                cleaned[name] = value.astimezone(VILNIUS)
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", _("The end must be after the start."))
        return cleaned
