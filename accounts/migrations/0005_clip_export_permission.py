"""Give the staff roles the camera `export` action, for clips (accounts/roles.py)."""

from django.db import migrations


def add_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from accounts.services import ensure_roles

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_request_permissions"),
        ("cameras", "0006_export_permission"),
    ]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
