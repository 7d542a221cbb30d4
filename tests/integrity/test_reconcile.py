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
    assert alarm.severity == "critical" and storage.absolute(rows[1].path).name in alarm.text
    assert any(rows[1].path in line for line in out)


def test_files_of_an_unknown_camera_are_reported_and_quarantined(segments, settings, tmp_path_factory):
    from io import StringIO

    from alarms.choices import AlarmKind
    from cameras.services import decommission_camera

    template_dir = tmp_path_factory.getbasetemp()
    kept = CameraFactory()
    segments(kept, START, 1)
    retired = CameraFactory()
    retired_rows = segments(retired, START, 2)
    decommission_camera(camera_id=retired.pk, reason="Išmontuota")
    gone = CameraFactory()
    gone_pk = gone.pk
    of_deleted = write_file(gone_pk, START, template_dir)
    gone.delete()  # it never had a row of footage, so it could be deleted; its folder was left behind
    of_nobody = write_file(999999, START, template_dir)
    stray = storage.absolute("senas-diskas/irasas.ts")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"\x47" * 188)
    loose = storage.absolute("loose.ts")
    loose.write_bytes(b"\x47" * 188)
    for path in (of_deleted, of_nobody, stray, loose):
        age(path)

    out = StringIO()
    call_command("reconcile", stdout=out)

    rels = {str(p.relative_to(storage.absolute(""))) for p in (of_deleted, of_nobody, stray, loose)}
    lines = out.getvalue().splitlines()
    assert {line.split(": ", 1)[1] for line in lines if line.startswith("unknown camera")} == rels
    assert "4 of an unknown camera" in lines[-1]
    for rel in rels:
        assert not storage.absolute(rel).exists()
        moved = settings.QUARANTINE_ROOT / rel
        assert moved.exists() and "unknown camera" in moved.with_name(moved.name + ".reason.txt").read_text()
    reasons = dict(QuarantinedFile.objects.filter(camera=None).values_list("original_path", "reason"))
    assert set(reasons) == rels
    assert f"camera {gone_pk} does not exist" in reasons[str(of_deleted.relative_to(storage.absolute("")))]
    assert "named for no camera" in reasons["senas-diskas/irasas.ts"]
    alarm = Alarm.objects.get(kind=AlarmKind.UNKNOWN_FILES, ended_at=None)
    assert alarm.camera_id is None and "4 file(s)" in alarm.text
    # A decommissioned camera's folder is its own: reconciled like any other, nothing moved.
    assert all(storage.absolute(s.path).exists() for s in retired_rows)
    assert not storage.absolute(str(gone_pk)).exists() and not storage.absolute("senas-diskas").exists()


@pytest.mark.parametrize(
    "name", ["99991231T235959.999999Z.ts", "00010101T000000.000000Z.ts", "20261301T000000.000000Z.ts"]
)
def test_a_file_named_for_an_impossible_time_is_quarantined_not_a_crash(segments, name):
    camera = CameraFactory()
    segments(camera, START, 1)
    odd = storage.absolute(f"{camera.pk}/2026/11/26/08/{name}")
    odd.write_bytes(b"\x47" * 188)
    age(odd)

    report = reconcile(camera_ids=[camera.pk])

    assert report.quarantined == [str(odd.relative_to(storage.absolute("")))]
    assert QuarantinedFile.objects.get().reason == "not a segment file name"
