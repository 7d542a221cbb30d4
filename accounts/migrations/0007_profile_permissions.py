"""Give Administrators the permissions on users' profiles (their preferred language, accounts/roles.py)."""

from django.db import migrations

from accounts.role_migrations import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [("accounts", "0006_profile_language")]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
