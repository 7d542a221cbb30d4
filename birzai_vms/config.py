"""Typed readers of environment variables for settings.py, with bounds, and the registry of what they read.

Every variable settings.py reads goes through one of these helpers, so that a bad value stops start-up
with a message naming the variable, the value and what is allowed ("CAPTURE_LEASE_SECONDS must be at least
1 (got 0)") instead of a traceback deep in a worker hours later, and so that REGISTRY knows every variable
and its default: tests/test_settings.py checks the README's configuration table against it.
"""

import math
import os
from dataclasses import dataclass
from typing import Any

import environ
from django.core.exceptions import ImproperlyConfigured

_env = environ.Env()


@dataclass(frozen=True)
class Variable:
    """An environment variable settings.py reads, and its default as the README shows it."""

    name: str
    default: Any  # the value itself, or a text for defaults computed at start-up ("VAR_DIR/recordings")
    minimum: float | None = None
    maximum: float | None = None


REGISTRY: dict[str, Variable] = {}


def _register(name: str, default: Any, minimum: float | None = None, maximum: float | None = None) -> str | None:
    REGISTRY[name] = Variable(name, default, minimum, maximum)
    value = os.environ.get(name)
    return value if value is not None and value.strip() != "" else None


def number_text(value: float) -> str:
    """1 for 1.0, 1000000 for 1e6, 0.005 for 0.005: how bounds are written in messages and the README."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _bounded(name: str, raw: str, value: float, minimum: float | None, maximum: float | None) -> None:
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {number_text(minimum)} (got {raw})")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name} must be at most {number_text(maximum)} (got {raw})")


def int_setting(name: str, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number within [minimum, maximum]; "5000", "5_000" are accepted, "5.5" and "five" are not."""
    raw = _register(name, default, minimum, maximum)
    if raw is None:
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number (got {raw!r})") from None
    _bounded(name, raw.strip(), value, minimum, maximum)
    return value


def float_setting(name: str, default: float, *, minimum: float | None = None, maximum: float | None = None) -> float:
    """A finite number within [minimum, maximum]."""
    raw = _register(name, default, minimum, maximum)
    if raw is None:
        return default
    try:
        value = float(raw.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number (got {raw!r})") from None
    if not math.isfinite(value):
        raise ImproperlyConfigured(f"{name} must be a finite number (got {raw!r})")
    _bounded(name, raw.strip(), value, minimum, maximum)
    return value


def positive_float(name: str, default: float, *, minimum: float, maximum: float | None = None) -> float:
    """A duration or interval: a number of at least `minimum` (which must be above zero)."""
    assert minimum > 0, "a positive setting needs a positive minimum"
    return float_setting(name, default, minimum=minimum, maximum=maximum)


def bool_setting(name: str, default: bool, *, shown: str | None = None) -> bool:
    """true/false, on/off, yes/no, 1/0 (case-insensitive)."""
    raw = _register(name, default if shown is None else shown)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in {"1", "true", "on", "yes"}:
        return True
    if word in {"0", "false", "off", "no"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (got {raw!r})")


def str_setting(name: str, default: str, *, shown: str | None = None) -> str:
    """Free text; `shown` is how the README describes a default computed at start-up (e.g. "host name")."""
    raw = _register(name, default if shown is None else shown)
    return default if raw is None else raw.strip()


def choice_setting(name: str, default: str, *, choices: tuple[str, ...], shown: str | None = None) -> str:
    """One of a few words, compared case-sensitively."""
    value = str_setting(name, default, shown=shown)
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)} (got {value!r})")
    return value


def list_setting(name: str, default: list[str], *, shown: str | None = None) -> list[str]:
    """Comma-separated words; blanks dropped."""
    raw = _register(name, shown if shown is not None else (",".join(default) or "empty"))
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_setting(name: str, default: str, *, shown: str) -> dict[str, Any]:
    """A database URL (postgres://…, sqlite:///…) as Django's DATABASES entry."""
    raw = _register(name, shown)
    try:
        return _env.db_url_config(raw or default)
    except Exception as exc:  # noqa: BLE001 - django-environ raises anything from a malformed URL
        raise ImproperlyConfigured(f"{name} is not a database URL ({exc}; got {raw!r})") from None


def email_setting(name: str, default: str, *, shown: str) -> dict[str, Any]:
    """An email URL (smtp://user:password@host:25, smtp+tls://…:587 for STARTTLS, consolemail://) as
    Django's EMAIL_* settings."""
    raw = _register(name, shown)
    try:
        return _env.email_url_config(raw or default)
    except Exception as exc:  # noqa: BLE001 - django-environ raises anything from a malformed URL
        raise ImproperlyConfigured(f"{name} is not an email URL ({exc}; got {raw!r})") from None


def file_text(name: str) -> str:
    """The contents of the file named by NAME (a *_FILE secret), or "" when NAME is not set."""
    path = str_setting(name, "", shown="empty")
    if not path:
        return ""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().strip()
    except OSError as exc:
        raise ImproperlyConfigured(f"{name}={path} cannot be read: {exc.strerror}") from exc
