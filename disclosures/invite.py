"""An administrator's invitation: an email with a one-time link where the new user sets their password."""

from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.languages import preferred_language


def set_password_link(user: Any) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("disclosures:set-password", args=[uid, token])


def send_invitation(user: Any) -> None:
    """Email the user a link to set their password (valid PASSWORD_RESET_TIMEOUT, once: setting it spends it)."""
    with translation.override(preferred_language(user)):
        subject = _("Your account at Biržai video surveillance")
        body = _(
            "An administrator created an account for you (user name: %(username)s).\n"
            "Set your password here:\n%(link)s\n\n"
            "After that you log in with your password and a code from an authenticator app, "
            "which you set up at your first login.\n"
        ) % {"username": user.get_username(), "link": set_password_link(user)}
    send_mail(subject, body, None, [user.email])
