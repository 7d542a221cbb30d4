"""Give the roles their permissions on incidents (accounts/roles.py)."""

from django.db import migrations

from accounts.role_migrations import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0001_initial"),
        ("accounts", "0003_hold_and_alarm_permissions"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
