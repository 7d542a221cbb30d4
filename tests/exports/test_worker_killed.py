"""An export whose worker is killed (SIGKILL, mid-build) is queued again once its heartbeat is stale and
finished by another worker into a correct package: nothing of the killed build is left or used."""

import subprocess
import sys
import zipfile
from datetime import timedelta

import pytest

from birzai_vms.processes import command
from exports import services
from exports.choices import ExportKind, ExportState
from exports.models import Export
from exports.tasks import requeue_stale_exports
from exports.verification import verify_package
from tests.support import footage

from .conftest import T0

STALE_SECONDS = 3


def worker_argv(name: str) -> list[str]:
    """The Procfile's default-queue worker (exports run there), one thread."""
    return command("worker", env={"WORKER_NAME": name, "WORKER_CONCURRENCY": "1"}, python=sys.executable)


@pytest.mark.django_db(transaction=True)
def test_an_export_interrupted_by_a_killed_worker_is_retried_to_a_correct_package(
    capture_stack, camera, operator, exports_root, integrity_key, settings, wait, tmp_path
):
    settings.EXPORT_STALE_SECONDS = STALE_SECONDS
    env = {
        "EXPORTS_ROOT": str(exports_root),
        "INTEGRITY_KEY_PATH": str(integrity_key),
        "EXPORT_STALE_SECONDS": str(STALE_SECONDS),
    }
    # Long enough that the build (copy, then a re-encoded viewing copy) is still running when it is killed.
    footage.record_footage(camera, footage.H264, start=T0, segments=15)
    first = capture_stack._celery("exports-1", worker_argv("exports-1"), env)
    export = services.start_export(
        kind=ExportKind.EVIDENCE,
        items=[(camera, T0 + timedelta(seconds=2.5), T0 + timedelta(seconds=58))],
        created_by=operator,
        burn_in=True,
    )
    wait(
        lambda: Export.objects.filter(pk=export.pk, state=ExportState.RUNNING, progress__gt=0).exists(),
        timeout=60,
        interval=0.05,
        what="the worker to be part-way through the export",
    )
    first.kill()
    assert first.wait(timeout=10) is not None
    export.refresh_from_db()
    assert export.state == ExportState.RUNNING and export.attempts == 1, "killed before it finished"
    assert list(services.export_dir(export.pk).glob(".build-*")), "the killed build's half-made files"

    # What the beat does every 15 s: a RUNNING export without a heartbeat is queued again.
    wait(lambda: requeue_stale_exports() == 1, timeout=30, what="the export's heartbeat to go stale")
    assert Export.objects.get(pk=export.pk).state == ExportState.QUEUED
    capture_stack._celery("exports-2", worker_argv("exports-2"), env)
    wait(
        lambda: Export.objects.filter(pk=export.pk, state__in=[ExportState.READY, ExportState.FAILED]).exists(),
        timeout=180,
        what="the second worker to finish the export",
    )
    export.refresh_from_db()
    assert export.state == ExportState.READY, (export.error, capture_stack.logs())
    assert export.attempts == 2
    path = services.package_path(export)
    assert verify_package(path) == []
    assert not list(services.export_dir(export.pk).glob(".build-*"))
    with zipfile.ZipFile(path) as archive:
        archive.extractall(tmp_path / "pkg")
        assert any(n.startswith("viewing-copy/") for n in archive.namelist())
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=tmp_path / "pkg").returncode == 0
    item = export.items.get()
    assert item.actual_start == T0 + timedelta(seconds=2)
