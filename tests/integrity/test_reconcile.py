"""The reconciler walks disk and index both ways: orphans indexed, unreadable quarantined, missing flagged."""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from alarms.models import Alarm
from integrity.models import QuarantinedFile
from integrity.reconcile import reconcile
from recordings.capture import storage
from recordings.choices import SegmentStatus
from recordings.models import Segment
from tests.factories import CameraFactory
from tests.retention.files import write_file

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)


def age(path, seconds=60):
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_an_orphan_file_is_indexed(segments, tmp_path_factory):
    camera = CameraFactory()
    segments(camera, START, 2)
    orphan = write_file(camera.pk, START + timedelta(seconds=8), tmp_path_factory.getbasetemp())
    age(orphan)

    report = reconcile(camera_ids=[camera.pk])

    rel = str(orphan.relative_to(storage.absolute("")))
    assert report.indexed == [rel]
    row = Segment.objects.get(camera=camera, path=rel)
    assert (row.start, row.sha256, row.status) == (START + timedelta(seconds=8), storage.sha256_of(orphan), "ok")
    assert reconcile(camera_ids=[camera.pk]).indexed == []  # nothing twice


def test_a_file_still_being_written_is_left_alone(segments, tmp_path_factory):
    camera = CameraFactory()
    live = write_file(camera.pk, START, tmp_path_factory.getbasetemp())

    report = reconcile(camera_ids=[camera.pk])

    assert report.indexed == [] and live.exists()


def test_an_unreadable_file_is_quarantined_with_its_reason(segments, settings):
    camera = CameraFactory()
    segments(camera, START, 1)
    junk = storage.absolute(storage.segment_relpath(camera.pk, START + timedelta(seconds=4)))
    junk.write_bytes(b"\x00" * 4096)
    age(junk)

    report = reconcile(camera_ids=[camera.pk])

    rel = str(junk.relative_to(storage.absolute("")))
    assert report.quarantined == [rel]
    assert not junk.exists()
    moved = settings.QUARANTINE_ROOT / rel
    assert moved.read_bytes() == b"\x00" * 4096
    assert moved.with_name(moved.name + ".reason.txt").read_text().startswith("unreadable")
    entry = QuarantinedFile.objects.get()
    assert (entry.camera, entry.original_path) == (camera, rel)
    assert Alarm.objects.open().get(kind="file_quarantined", camera=camera)
    assert not Segment.objects.filter(path=rel).exists()


def test_a_row_whose_file_is_gone_is_marked_missing_and_raises_an_alarm(segments):
    camera = CameraFactory()
    rows = segments(camera, START, 3)
    storage.absolute(rows[1].path).unlink()

    out = []
    call_command("reconcile", "--camera", str(camera.pk), stdout=type("W", (), {"write": out.append})())

    assert Segment.objects.get(pk=rows[1].pk).status == SegmentStatus.MISSING  # kept, flagged
    assert Segment.objects.filter(camera=camera, status=SegmentStatus.OK).count() == 2
    alarm = Alarm.objects.open().get(kind="segment_missing", camera=camera)
    assert alarm.severity == "critical" and storage.absolute(rows[1].path).name in alarm.message
    assert any(rows[1].path in line for line in out)
