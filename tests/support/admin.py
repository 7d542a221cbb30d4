"""What the admin's user forms post, for tests that save users through the admin."""

from typing import Any


def user_change_form(user: Any, **changes: Any) -> dict[str, Any]:
    """The change form of `user` as the admin posts it, its inlines (preferred language, officer's details)
    left empty, with `changes` (a None value drops the field)."""
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "10:00:00",
        "groups": [g.pk for g in user.groups.all()],
        "profile-TOTAL_FORMS": "0",
        "profile-INITIAL_FORMS": "0",
        "police_profile-TOTAL_FORMS": "0",
        "police_profile-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}
