"""Give the roles their permissions on footage requests and the camera `request` action (accounts/roles.py)."""

from django.db import migrations

from accounts.role_migrations import apply_role_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_hold_and_alarm_permissions"),
        ("cameras", "0004_alter_camera_options"),
        ("disclosures", "0001_initial"),
    ]

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]
