"""The export row is the truth: a RUNNING export without a heartbeat is queued again, one interrupted too
often is left FAILED with the reason, and a person's retry gives it a fresh budget of builds."""

from datetime import timedelta

from django.utils import timezone

from exports import services
from exports.choices import ExportKind, ExportState
from exports.models import Export
from exports.tasks import build_export, requeue_stale_exports
from exports.verification import verify_package
from tests.support import footage

from .conftest import T0


def died_while_running(export: Export, attempts: int) -> None:
    """What a worker killed mid-build leaves: RUNNING, its heartbeat long past."""
    Export.objects.filter(pk=export.pk).update(
        state=ExportState.RUNNING, attempts=attempts, heartbeat_at=timezone.now() - timedelta(hours=1)
    )


def test_a_stale_export_is_queued_again_and_a_running_one_is_not(built, camera, operator, redis_db):
    footage.record_footage(camera, footage.H264, start=T0, segments=2)
    items = [(camera, T0, T0 + timedelta(seconds=8))]
    stale = services.start_export(kind=ExportKind.CLIP, items=items, created_by=operator)
    alive = services.start_export(kind=ExportKind.CLIP, items=items, created_by=operator)
    died_while_running(stale, 1)
    Export.objects.filter(pk=alive.pk).update(state=ExportState.RUNNING, attempts=1, heartbeat_at=timezone.now())
    assert requeue_stale_exports() == 1
    assert Export.objects.get(pk=stale.pk).state == ExportState.QUEUED
    assert Export.objects.get(pk=alive.pk).state == ExportState.RUNNING
    # A second delivery of the build while the first holds the claim does nothing.
    build_export(alive.pk)
    assert Export.objects.get(pk=alive.pk).attempts == 1


def test_an_export_interrupted_too_often_fails_and_a_retry_builds_it(built, camera, operator, settings, redis_db):
    settings.EXPORT_MAX_ATTEMPTS = 2
    footage.record_footage(camera, footage.H264, start=T0, segments=2)
    export = services.start_export(
        kind=ExportKind.CLIP, items=[(camera, T0, T0 + timedelta(seconds=8))], created_by=operator
    )
    died_while_running(export, 2)
    assert requeue_stale_exports() == 0
    export.refresh_from_db()
    assert export.state == ExportState.FAILED
    assert "interrupted 2 times" in export.error
    services.retry_export(export)
    assert export.state == ExportState.QUEUED
    build_export(export.pk)
    export.refresh_from_db()
    assert export.state == ExportState.READY and export.attempts == 3
    assert verify_package(services.package_path(export)) == []
