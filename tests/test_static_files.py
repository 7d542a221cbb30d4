"""Static files in the tests come from the sources, without a warning; outside the tests a missing
collectstatic is still reported."""

import os
import subprocess
import sys
import warnings
from pathlib import Path

from django.conf import settings
from django.test import Client

BASE_DIR = Path(settings.BASE_DIR)
A_STATIC_FILE = "vendor/leaflet/1.9.4/images/marker-icon.png"


def test_the_test_process_serves_static_files_from_the_sources_without_a_warning(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "never-collected"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning while the middleware loads fails the test
        response = Client().get(f"/static/{A_STATIC_FILE}")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == (BASE_DIR / "static" / A_STATIC_FILE).read_bytes()


def test_outside_the_tests_a_missing_static_root_is_still_reported(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"VMS_MODE", "DEBUG"}}
    env |= {
        "VMS_MODE": "embedded",
        "DEBUG": "off",
        "VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "birzai_vms.settings",
    }
    load = (
        "import django; django.setup(); "
        "from whitenoise.middleware import WhiteNoiseMiddleware; WhiteNoiseMiddleware(id)"
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", load],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"No directory at: {tmp_path / 'staticfiles'}/" in result.stderr
