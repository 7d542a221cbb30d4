"""Where export packages are kept."""

from pathlib import Path

from django.conf import settings


def export_dir(export_id: int) -> Path:
    """The export's folder under EXPORTS_ROOT: its package, and its builds while they run."""
    return settings.EXPORTS_ROOT / str(export_id)
