"""Retention deletes expired unheld footage (files and rows), keeps the rest, and records what it did."""

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from integrity.models import DeletionRecord
from recordings.capture import storage
from recordings.models import Gap, Segment
from retention import services
from retention.choices import DeletionReason
from retention.models import DeletedRange
from retention.timeline import timeline
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def test_expired_footage_is_deleted_and_younger_footage_kept(segments, settings):
    settings.RETENTION_BATCH_SIZE = 3  # several batches
    camera = CameraFactory(retention_days=30)
    old = segments(camera, NOW - timedelta(days=31), 10)
    young = segments(camera, NOW - timedelta(days=29), 5)

    done = services.enforce_retention(now=NOW)

    assert done[camera.pk].count == 10
    assert not any(storage.absolute(s.path).exists() for s in old)
    assert all(storage.absolute(s.path).exists() for s in young)
    assert list(Segment.objects.filter(camera=camera).values_list("pk", flat=True)) == [s.pk for s in young]
    # Recorded as one contiguous deleted stretch (four batches), with reason and date.
    ranges = list(DeletedRange.objects.filter(camera=camera).order_by("start"))
    assert ranges[0].start == old[0].start and ranges[-1].end == old[-1].end
    assert sum(r.segment_count for r in ranges) == 10
    assert {(r.reason, r.deleted_at) for r in ranges} == {(DeletionReason.RETENTION, NOW)}
    # And in the integrity chain, so that the absence is lawful.
    deleted = [name for r in DeletionRecord.objects.filter(camera=camera) for name, _sha in r.entries]
    assert sorted(deleted) == sorted(s.path for s in old)


def test_a_camera_with_a_longer_period_keeps_its_footage_longer(segments):
    short, long = CameraFactory(retention_days=30), CameraFactory(retention_days=60)
    segments(short, NOW - timedelta(days=40), 2)
    segments(long, NOW - timedelta(days=40), 2)

    services.enforce_retention(now=NOW)

    assert not Segment.objects.filter(camera=short).exists()
    assert Segment.objects.filter(camera=long).count() == 2


def test_held_footage_is_kept_until_the_hold_is_released(segments, admin_user):
    camera = CameraFactory()
    old = segments(camera, NOW - timedelta(days=35), 6)
    hold = services.create_hold(
        camera_ids=[camera.pk],
        start=old[2].start,
        end=old[3].end,
        reason="Police request 2026/114",
        created_by=admin_user,
    )

    services.enforce_retention(now=NOW)

    assert [s.pk for s in Segment.objects.filter(camera=camera)] == [old[2].pk, old[3].pk]
    assert storage.absolute(old[2].path).exists() and storage.absolute(old[3].path).exists()

    services.release_hold(hold_id=hold.pk, reason="Investigation closed", released_by=admin_user)
    services.enforce_retention(now=NOW)

    assert not Segment.objects.filter(camera=camera).exists()
    hold.refresh_from_db()
    assert (hold.release_reason, hold.released_by) == ("Investigation closed", admin_user)


def test_a_hold_on_another_camera_does_not_protect_this_one(segments):
    camera, other = CameraFactory(), CameraFactory()
    old = segments(camera, NOW - timedelta(days=35), 2)
    services.create_hold(camera_ids=[other.pk], start=old[0].start, end=old[-1].end, reason="Incident")

    services.enforce_retention(now=NOW)

    assert not Segment.objects.filter(camera=camera).exists()


def test_running_retention_twice_deletes_nothing_more(segments):
    camera = CameraFactory()
    segments(camera, NOW - timedelta(days=31), 3)
    services.enforce_retention(now=NOW)
    assert services.enforce_retention(now=NOW) == {}
    assert DeletedRange.objects.filter(camera=camera).count() == 1


def test_the_timeline_tells_deleted_footage_from_footage_never_recorded(segments):
    camera = CameraFactory()
    day = NOW - timedelta(days=31)
    first = segments(camera, day, 3)  # 12 s recorded
    Gap.objects.create(
        camera=camera, start=first[-1].end, end=first[-1].end + timedelta(seconds=20), cause="camera_unreachable"
    )
    second = segments(camera, first[-1].end + timedelta(seconds=20), 3)
    services.enforce_retention(now=NOW)

    shown = timeline(camera_id=camera.pk, start=day - timedelta(minutes=1), end=day + timedelta(minutes=5))

    assert shown["recorded"] == []
    # Two deleted stretches, split where the recording had a gap: the gap stays a gap.
    assert [(d["start"], d["end"], d["reason"], d["deleted_at"]) for d in shown["deleted"]] == [
        (first[0].start, first[-1].end, "retention", NOW),
        (second[0].start, second[-1].end, "retention", NOW),
    ]
    assert [(g["start"], g["cause"]) for g in shown["gaps"]] == [(first[-1].end, "camera_unreachable")]


def test_a_crash_between_row_and_file_deletion_is_finished_by_the_reconciler(segments):
    from integrity.reconcile import reconcile

    camera = CameraFactory()
    old = segments(camera, NOW - timedelta(days=31), 2)
    kept = storage.absolute(old[0].path).read_bytes()
    services.enforce_retention(now=NOW)
    # As if the process died after committing the deletion but before unlinking the file.
    storage.absolute(old[0].path).write_bytes(kept)
    os.utime(storage.absolute(old[0].path), (time.time() - 60, time.time() - 60))

    report = reconcile(camera_ids=[camera.pk])

    assert report.finished_deletions == [old[0].path]
    assert report.indexed == []
    assert not storage.absolute(old[0].path).exists()
    assert not Segment.objects.filter(camera=camera).exists()
