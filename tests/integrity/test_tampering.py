"""Tampering with a sealed day is detected and named; lawful retention deletion is not flagged."""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from integrity.models import DailyDigest
from integrity.services import seal_day, seal_pending, verify_day
from recordings.capture import storage
from retention import services
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 10, 20, tzinfo=UTC)


def sealed_day(camera, segments, count=6):
    rows = segments(camera, DAY + timedelta(hours=10), count)
    seal_day(camera_id=camera.pk, day=DAY.date())
    return rows


def test_an_untouched_day_verifies(segments):
    camera = CameraFactory()
    sealed_day(camera, segments)

    report = verify_day(camera_id=camera.pk, day=DAY.date())

    assert report.ok, report
    assert (report.sealed, report.checked) == (True, 6)


def test_one_changed_byte_is_reported_as_altered_by_name(segments):
    camera = CameraFactory()
    rows = sealed_day(camera, segments)
    path = storage.absolute(rows[3].path)
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x01
    path.write_bytes(bytes(data))

    report = verify_day(camera_id=camera.pk, day=DAY.date())

    assert (report.altered, report.missing, report.inserted) == ([rows[3].path], [], [])


def test_a_deleted_segment_file_is_reported_as_missing_by_name(segments):
    camera = CameraFactory()
    rows = sealed_day(camera, segments)
    storage.absolute(rows[1].path).unlink()

    report = verify_day(camera_id=camera.pk, day=DAY.date())

    assert (report.altered, report.missing, report.inserted) == ([], [rows[1].path], [])


def test_a_foreign_file_is_reported_as_inserted_by_name(segments):
    camera = CameraFactory()
    rows = sealed_day(camera, segments)
    foreign = storage.absolute(rows[0].path).with_name("20261020T100001.000000Z.ts")
    foreign.write_bytes(storage.absolute(rows[0].path).read_bytes())
    os.utime(foreign, (time.time() - 60, time.time() - 60))  # not a file a recorder is writing now

    report = verify_day(camera_id=camera.pk, day=DAY.date())

    assert (report.altered, report.missing) == ([], [])
    assert report.inserted == [str(foreign.relative_to(storage.absolute("")))]


def test_a_row_deleted_from_the_index_and_its_file_is_caught_by_the_seal(segments):
    camera = CameraFactory()
    rows = sealed_day(camera, segments)
    storage.absolute(rows[2].path).unlink()
    rows[2].delete()  # someone covering their tracks in the database too

    report = verify_day(camera_id=camera.pk, day=DAY.date())

    assert report.missing == [rows[2].path]


def test_an_edited_digest_is_caught_by_its_signature(segments):
    camera = CameraFactory()
    sealed_day(camera, segments)
    digest = DailyDigest.objects.get(camera=camera)
    digest.entries = digest.entries[:-1]
    digest.save()

    report = verify_day(camera_id=camera.pk, day=DAY.date())

    assert not report.ok
    assert "the sealed list of segments does not match its chain head" in report.problems


def test_lawful_retention_deletion_is_not_flagged(segments):
    camera = CameraFactory()
    sealed_day(camera, segments)

    services.enforce_retention(now=DAY + timedelta(days=31))

    report = verify_day(camera_id=camera.pk, day=DAY.date())
    assert report.ok, report
    assert (report.checked, report.lawfully_deleted) == (0, 6)


def test_a_partly_held_day_verifies_after_retention(segments):
    camera = CameraFactory()
    rows = sealed_day(camera, segments)
    services.create_hold(camera_ids=[camera.pk], start=rows[0].start, end=rows[1].end, reason="Incident 7")

    services.enforce_retention(now=DAY + timedelta(days=31))

    report = verify_day(camera_id=camera.pk, day=DAY.date())
    assert report.ok, report
    assert (report.checked, report.lawfully_deleted) == (2, 4)


def test_seal_pending_seals_finished_days_once(segments):
    camera = CameraFactory()
    segments(camera, DAY + timedelta(hours=23, minutes=59, seconds=56), 2)  # the second one starts the next day

    assert seal_pending(now=DAY + timedelta(days=2, hours=2)) == 2
    assert seal_pending(now=DAY + timedelta(days=2, hours=2)) == 0
    assert [d.segment_count for d in DailyDigest.objects.filter(camera=camera).order_by("day")] == [1, 1]


def test_verify_command_names_the_tampered_segments_and_fails(segments, capsys):
    camera = CameraFactory()
    rows = sealed_day(camera, segments)
    storage.absolute(rows[4].path).unlink()

    with pytest.raises(SystemExit) as exit_info:
        call_command("verify", "--camera", str(camera.pk), "--date", "2026-10-20")

    assert exit_info.value.code == 1
    assert f"MISSING: {rows[4].path}" in capsys.readouterr().out


def test_verify_command_refuses_a_bad_date_clearly(segments):
    from django.core.management.base import CommandError

    camera = CameraFactory()
    for day in ("20.10.2026", "9999-12-31", "0001-01-01"):
        with pytest.raises(CommandError, match="YYYY-MM-DD"):
            call_command("verify", "--camera", str(camera.pk), "--date", day)
    with pytest.raises(CommandError, match="no camera with id"):
        call_command("verify", "--camera", "999999", "--date", "2026-10-20")


def test_the_public_key_is_exported_and_the_key_lives_outside_the_database(integrity_key, capsys):
    call_command("export_public_key")

    out = capsys.readouterr().out
    assert out.startswith("-----BEGIN PUBLIC KEY-----")
    assert integrity_key.exists() and oct(integrity_key.stat().st_mode & 0o777) == "0o600"


def test_the_rolling_sample_rehash_raises_an_alarm_naming_an_altered_segment(segments):
    from alarms.models import Alarm
    from integrity.tasks import rehash_segments_of_this_node

    camera = CameraFactory()
    rows = segments(camera, DAY, 3)
    path = storage.absolute(rows[1].path)
    path.write_bytes(path.read_bytes()[:-188])

    assert rehash_segments_of_this_node(size=50) == 1
    alarm = Alarm.objects.open().get(kind="integrity", camera=camera)
    assert rows[1].path in alarm.text and alarm.severity == "critical"


def test_a_whole_sealed_day_dropped_at_once_verifies_and_its_record_cannot_be_moved(segments):
    from integrity.models import DeletionRecord
    from recordings import partitions

    camera = CameraFactory()
    sealed_day(camera, segments)
    if not partitions.ensure_partitions(now=DAY):
        pytest.skip("the index is not partitioned (SQLite): no whole-day deletion")

    services.enforce_retention(now=DAY + timedelta(days=31))

    record = DeletionRecord.objects.get(camera=camera)
    assert (record.entries, record.sealed_head) == ([], DailyDigest.objects.get(camera=camera).head)
    report = verify_day(camera_id=camera.pk, day=DAY.date())
    assert report.ok, report
    assert (report.checked, report.lawfully_deleted) == (0, 6)
    # The record stands for that seal only: pointed at another seal, it no longer verifies.
    DeletionRecord.objects.filter(pk=record.pk).update(sealed_head="0" * 64)
    assert not verify_day(camera_id=camera.pk, day=DAY.date()).ok
