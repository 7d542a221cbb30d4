"""The body of every migration that gives the roles their permissions (accounts/roles.py ROLE_PERMISSIONS).

A migration that adds permissions a role needs (of any app) imports it:

    from accounts.role_migrations import apply_role_permissions

    operations = [migrations.RunPython(apply_role_permissions, migrations.RunPython.noop)]

and depends on the migrations that create those permissions' models.
"""

from typing import Any


def apply_role_permissions(apps: Any, schema_editor: Any) -> None:
    """Create the permissions of every app known at this point of the migration graph, then give the role
    groups theirs (ensure_roles adds what is missing and removes nothing)."""
    from django.contrib.auth.management import create_permissions

    from accounts.services import ensure_roles

    # Permissions are normally created after all migrations (post_migrate); create them now so the roles get
    # them. create_permissions skips an app whose models_module is None, as historical app configs have.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
        app_config.models_module = None
    ensure_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
