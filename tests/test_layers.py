"""The apps keep their layers (`[tool.importlinter]` in pyproject.toml, run by lint-imports), and the
contract really catches an import that goes up a layer, also one deferred into a function."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def _copy_of_the_tree(dest: Path) -> Path:
    """The root packages' Python files and pyproject.toml, without templates, static files or caches."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    for package in config["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(
            ROOT / package, dest / package, ignore=shutil.ignore_patterns("__pycache__", "static", "templates")
        )
    shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")
    return dest


def test_the_apps_keep_their_layers() -> None:
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken." in result.stdout and "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("source", "why"),
    [
        ("from playback import services  # noqa: F401\n", "at the top of a module"),
        ("def _late() -> None:\n    from playback import services  # noqa: F401\n", "deferred into a function"),
    ],
)
def test_an_import_up_a_layer_breaks_the_contract_and_is_named(tmp_path: Path, source: str, why: str) -> None:
    tree = _copy_of_the_tree(tmp_path)
    assert _lint_imports(tree).returncode == 0  # the copy keeps the layers, as the tree does

    (tree / "eldership" / "_upward.py").write_text(source)  # eldership is the bottom app, playback the top

    result = _lint_imports(tree)
    assert result.returncode != 0, f"an upward import {why} went unnoticed:\n{result.stdout}"
    assert "BROKEN" in result.stdout
    assert "eldership._upward -> playback.services" in result.stdout


def test_a_cycle_inside_one_app_breaks_the_contract_and_is_named(tmp_path: Path) -> None:
    tree = _copy_of_the_tree(tmp_path)
    (tree / "eldership" / "_loop.py").write_text("from eldership import seed_data  # noqa: F401\n")
    with (tree / "eldership" / "seed_data.py").open("a") as seed_data:
        seed_data.write("\n\ndef _late() -> None:\n    from eldership import _loop  # noqa: F401\n")

    result = _lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert "No cycles are allowed in eldership" in result.stdout
    assert "._loop -> .seed_data" in result.stdout or ".seed_data -> ._loop" in result.stdout
