#!/usr/bin/env python
"""Django's command-line entry point for Biržai VMS."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "birzai_vms.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the environment now (birzai_vms/config.py)
    except ImproperlyConfigured as exc:
        # A bad setting is the operator's to fix: say which and why, without a traceback to dig through.
        sys.exit(f"ImproperlyConfigured: {exc}")
    execute_from_command_line(sys.argv)
