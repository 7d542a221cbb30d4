"""`manage.py demo_operator`: the demo's Operator, who sees every eldership without an authenticator app.

Operators need no second factor (accounts/services.py requires_two_factor), so a newcomer to `make demo`
sees the dashboard at once instead of first enrolling a TOTP app for the admin. A known login that sees
every camera has no place in a real installation: the command refuses to run unless VMS_MODE=embedded.
"""

import os
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.roles import OPERATOR
from accounts.services import assign_role, requires_two_factor
from eldership.models import Eldership

PASSWORD_VARIABLE = "DEMO_OPERATOR_PASSWORD"


class Command(BaseCommand):
    help = f"Create or update the demo Operator (embedded mode only); the password comes from ${PASSWORD_VARIABLE}."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="operatorius")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        if settings.VMS_MODE != "embedded":
            raise CommandError(f"The demo operator exists only in the embedded demo (VMS_MODE is {settings.VMS_MODE}).")
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if len(password) < 8:
            raise CommandError(f"Set {PASSWORD_VARIABLE} to the demo operator's password (at least 8 characters).")
        with transaction.atomic():
            user, created = get_user_model().objects.get_or_create(username=username)
            user.is_active, user.is_staff, user.is_superuser = True, False, False
            user.set_password(password)
            user.save()
            # Every eldership, also the ones seeded since the last run.
            assign_role(user=user, role=OPERATOR, elderships=Eldership.objects.all())
        if requires_two_factor(user):  # another role given by hand would bring the second factor back
            raise CommandError(f"{username} has a role that needs two factors; remove it or choose another name.")
        self.stdout.write(f"{'Created' if created else 'Updated'} demo operator {username}")
