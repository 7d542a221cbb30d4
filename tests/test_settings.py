"""A bad setting stops start-up with a message naming it, and the README's configuration table lists every
variable settings.py reads, with the defaults the code uses."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from birzai_vms.config import REGISTRY, number_text

BASE_DIR = Path(settings.BASE_DIR)


def manage_check(**env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CAPTURE_LEASE_SECONDS", "0", "CAPTURE_LEASE_SECONDS must be at least 1 (got 0)"),
        ("DEFAULT_RETENTION_DAYS", "7", "DEFAULT_RETENTION_DAYS must be at least 30 (got 7)"),
        ("DISPATCH_INTERVAL_SECONDS", "-3", "DISPATCH_INTERVAL_SECONDS must be at least 0.5 (got -3)"),
        ("AUDIT_HEAD_SIGN_INTERVAL_SECONDS", "0", "AUDIT_HEAD_SIGN_INTERVAL_SECONDS must be at least 1 (got 0)"),
        ("SEGMENT_SECONDS", "four", "SEGMENT_SECONDS must be a number (got 'four')"),
        ("SEGMENT_SECONDS", "nan", "SEGMENT_SECONDS must be a finite number (got 'nan')"),
        ("RETENTION_BATCH_SIZE", "5.5", "RETENTION_BATCH_SIZE must be a whole number (got '5.5')"),
        ("HOLD_MAX_DAYS", "100000", "HOLD_MAX_DAYS must be at most 3660 (got 100000)"),
        ("STORAGE_MIN_FREE_PERCENT", "100", "STORAGE_MIN_FREE_PERCENT must be at most 80 (got 100)"),
        ("DEBUG", "maybe", "DEBUG must be true or false (got 'maybe')"),
        (
            "METRICS_ALLOWED_NETWORKS",
            "127.0.0.1,10.0.0.0/33",
            "METRICS_ALLOWED_NETWORKS must be addresses or networks such as 10.0.0.0/8 (got '10.0.0.0/33')",
        ),
        ("VMS_MODE", "staging", "VMS_MODE must be one of embedded, production, test (got 'staging')"),
    ],
)
def test_a_bad_value_stops_start_up_with_a_message_naming_it(variable, value, message):
    result = manage_check(**{variable: value})
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_status_must_be_allowed_to_miss_a_heartbeat():
    result = manage_check(CAPTURE_LEASE_SECONDS="30", STATUS_STALE_SECONDS="15")
    assert result.returncode != 0
    assert "STATUS_STALE_SECONDS must be at least two heartbeats, 2 × CAPTURE_LEASE_SECONDS / 3 = 20 (got 15)" in (
        result.stderr
    )


def test_good_values_pass_the_check():
    result = manage_check(CAPTURE_LEASE_SECONDS="3", DEFAULT_RETENTION_DAYS="45", RETENTION_BATCH_SIZE="1000")
    assert result.returncode == 0, result.stderr


def test_settings_read_the_environment_only_through_the_typed_helpers():
    tree = ast.parse((BASE_DIR / "birzai_vms" / "settings.py").read_text())
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    imported = {
        alias.name for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom) for alias in node.names
    }
    assert "environ" not in names | attributes | imported
    assert "getenv" not in attributes


def variables_read_in_settings_source() -> set[str]:
    """Every first argument of a config helper call in settings.py, also those in branches not taken here."""
    tree = ast.parse((BASE_DIR / "birzai_vms" / "settings.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("_setting"):
            first = node.args[0]
            if isinstance(first, ast.Constant):
                found.add(first.value)
            else:  # the secrets: f"{name}_FILE" and name, for SECRET_KEY and FIELD_ENCRYPTION_KEY
                continue
    return found


def test_the_registry_knows_every_variable_in_settings():
    assert variables_read_in_settings_source() <= set(REGISTRY)
    assert {"SECRET_KEY", "SECRET_KEY_FILE", "FIELD_ENCRYPTION_KEY", "FIELD_ENCRYPTION_KEY_FILE"} <= set(REGISTRY)


def readme_configuration_table() -> dict[str, tuple[str, str]]:
    """Variable → its Default and Meaning cells (backticks removed), from the README's
    `| Variable | Default | Meaning |` table."""
    text = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    start = text.index("| Variable | Default | Meaning |")
    rows = {}
    for line in text[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        assert len(names) == 1, f"one variable per row: {line}"
        rows[names[0]] = (cells[1].replace("`", ""), cells[2].replace("`", ""))
    return rows


def shows(cell: str, default: object) -> bool:
    if isinstance(default, bool):
        return cell.split()[0].lower() in ({"true", "on"} if default else {"false", "off"})
    if isinstance(default, int | float):
        try:
            return float(cell.split()[0]) == default
        except ValueError:
            return False
    text = str(default) or "empty"
    return cell == text or cell.startswith((text + " ", text + ";", text + ","))


def test_the_readme_lists_every_variable_with_its_default():
    table = readme_configuration_table()
    missing = sorted(set(REGISTRY) - set(table))
    assert not missing, f"not in the README's configuration table: {missing}"
    wrong = {
        name: (table[name][0], variable.default)
        for name, variable in REGISTRY.items()
        if not shows(table[name][0], variable.default)
    }
    assert not wrong, f"README default differs from the code's (README, code): {wrong}"


def allowed_range(minimum: float | None, maximum: float | None) -> str | None:
    if minimum is not None and maximum is not None:
        return f"{number_text(minimum)}–{number_text(maximum)}"
    if minimum is not None:
        return f"≥ {number_text(minimum)}"
    return None


def test_the_readme_gives_the_allowed_range_of_every_number():
    table = readme_configuration_table()
    wrong = {}
    for name, variable in REGISTRY.items():
        wanted = allowed_range(variable.minimum, variable.maximum)
        if wanted is not None and wanted not in table[name][1]:
            wrong[name] = (table[name][1], wanted)
    assert not wrong, f"README meaning does not give the range the code enforces: {wrong}"
