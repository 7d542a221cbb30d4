"""The admin's camera form: credentials can be set or replaced, never read back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Camera


class CameraAdminForm(forms.ModelForm):
    rtsp_username = forms.CharField(
        label=_("RTSP user name"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored value."),
    )
    rtsp_password = forms.CharField(
        label=_("RTSP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the stored value. Stored encrypted; never shown again."),
    )
    clear_credentials = forms.BooleanField(label=_("Remove the stored credentials"), required=False)

    class Meta:
        model = Camera
        exclude: list[str] = []

    def clean(self) -> dict:
        cleaned = super().clean()
        stored = self.instance.pk and Camera.objects.filter(pk=self.instance.pk).first()
        for field in ("rtsp_username", "rtsp_password"):
            if cleaned.get("clear_credentials"):
                cleaned[field] = ""
            elif not cleaned.get(field) and stored:
                cleaned[field] = getattr(stored, field)
        if cleaned.get("rtsp_password") and not cleaned.get("rtsp_username"):
            self.add_error("rtsp_username", _("A password needs a user name."))
        return cleaned


class DecommissionForm(forms.Form):
    """The reason asked for before cameras are decommissioned (it goes into the audit log)."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("For example: the pole was removed; replaced by camera X. Kept in the audit log."),
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Decommissioning a camera needs a reason."))
        return reason
