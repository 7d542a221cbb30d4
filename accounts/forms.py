"""Login with password and, for users with a TOTP device, the code; TOTP enrolment."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import language_choices


def _token_field() -> forms.CharField:
    return forms.CharField(
        label=_("Code from the authenticator app"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=_("Needed if you have set up two-factor login."),
    )


class OTPLoginMixin:
    """After the password is right, a user with a confirmed device must also give a valid code.
    A wrong code counts as a failed login (audit log and lockout)."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
            return
        token = (self.cleaned_data.get("otp_token") or "").strip()
        device = match_token(user, token) if token else None
        if device is None:
            user_login_failed.send(
                sender=type(self), credentials={"username": user.get_username()}, request=self.request, reason="otp"
            )
            raise forms.ValidationError(
                _("Enter the current code from your authenticator app.")
                if not token
                else _("The code is wrong or has expired."),
                code="invalid_otp",
            )
        # django_otp stores this device in the session when the user_logged_in signal fires.
        user.otp_device = device


class OTPLoginForm(OTPLoginMixin, AuthenticationForm):
    otp_token = _token_field()


class AdminOTPLoginForm(OTPLoginMixin, AdminAuthenticationForm):
    otp_token = _token_field()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class LanguageForm(forms.Form):
    """The user's own choice of language, on their account page."""

    language = forms.ChoiceField(label=_("Preferred language"), required=False, choices=language_choices)
