"""Give the roles their permissions on holds, deleted ranges and alarms (accounts/roles.py)."""

from django.db import migrations

from accounts.role_migrations import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_roles"),
        ("retention", "0002_alter_hold_options"),
        ("alarms", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
