"""Give the roles their permissions on holds, deleted ranges and alarms (accounts/roles.py)."""

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
        ("accounts", "0002_roles"),
        ("retention", "0002_alter_hold_options"),
        ("alarms", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_permissions, migrations.RunPython.noop)]
