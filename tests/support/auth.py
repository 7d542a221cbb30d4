"""Users with roles, and sessions that passed two-factor login, for tests."""

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services import assign_role, requires_two_factor

PASSWORD = "Correct-Horse-2026"


@cache
def _password_hash() -> str:
    # Hashing costs about a second here (PBKDF2, a million rounds): once per test run is enough.
    return make_password(PASSWORD)


def make_user(username: str, role: str | None = None, *, elderships: tuple = (), **extra: Any) -> Any:
    user = get_user_model().objects.create(
        username=username, email=f"{username}@example.org", password=_password_hash(), **extra
    )
    if role:
        assign_role(user=user, role=role, elderships=elderships)
    return user


def totp_device(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now (django_otp's own TOTP from the device's key)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in_verified(client: Client, user: Any) -> Client:
    """Log the client in; for roles that need two factors, as if the code had been given."""
    client.force_login(user)
    if requires_two_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
        session.save()
    return client
