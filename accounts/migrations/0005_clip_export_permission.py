"""Give the staff roles the camera `export` action, for clips (accounts/roles.py)."""

from django.db import migrations

from accounts.role_migrations import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_request_permissions"),
        ("cameras", "0006_export_permission"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
