"""Retention on the day-partitioned segment index (PostgreSQL) deletes exactly what the unpartitioned index
did, and held footage of a day being dropped is kept (docs/partitioning.md)."""

import importlib
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, transaction

from integrity.models import DailyDigest, DeletionRecord
from integrity.services import seal_day, verify_day
from recordings import partitions
from recordings.capture import storage
from recordings.models import Segment
from recordings.querysets import CONTIGUOUS
from retention import services
from retention.models import DeletedRange
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
rebuild = importlib.import_module("recordings.migrations.0007_segment_partitioned_by_day")._rebuild


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("partitioning is PostgreSQL's; SQLite keeps one table")


def at(day: str, time: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{time}+00:00")


def build(segments: object, a: object, b: object, c: object) -> None:
    """Whole expired days, a day cut by the cutoff, a run over midnight, a hold, a longer period."""
    segments(a, at("2026-10-20", "00:00:00"), 5)
    segments(a, at("2026-10-20", "12:00:00"), 5)
    segments(a, at("2026-10-20", "23:59:52"), 4)  # two on the 20th, two on the 21st: one run
    held = segments(b, at("2026-10-20", "06:00:00"), 6)
    segments(c, at("2026-10-20", "06:00:00"), 3)  # 45 days: kept
    segments(c, at("2026-10-10", "08:00:00"), 3)  # 48 days: expired for c too
    segments(a, at("2026-10-28", "11:59:52"), 4)  # the 30-day cutoff (12:00) falls inside this run
    segments(b, at("2026-10-28", "20:00:00"), 2)
    segments(b, at("2026-11-20", "10:00:00"), 2)  # young
    services.create_hold(camera_ids=[b.pk], start=held[2].start, end=held[3].end, reason="Police request 7/2026")
    # Sealed days (as every day is long before it expires): a and c on 10 and 20 Oct; b's 20 Oct is not.
    for camera, day in ((a, "2026-10-20"), (c, "2026-10-10"), (c, "2026-10-20"), (a, "2026-10-21")):
        seal_day(camera_id=camera.pk, day=at(day, "00:00:00").date())


def merged(ranges: list[tuple]) -> list[tuple]:
    """Deleted ranges as the stretches they cover (batches and midnight cut runs differently)."""
    out: list[list] = []
    for camera_id, start, end, count in sorted(ranges):
        if out and out[-1][0] == camera_id and start - out[-1][2] <= CONTIGUOUS:
            out[-1][2], out[-1][3] = max(out[-1][2], end), out[-1][3] + count
        else:
            out.append([camera_id, start, end, count])
    return [tuple(r) for r in out]


def outcome(root: object, cameras: list[object]) -> dict[str, object]:
    days = set(Segment.objects.dates("start", "day")) | {
        d for d in DeletionRecord.objects.values_list("day", flat=True)
    }
    return {
        "segments": sorted(Segment.objects.values_list("camera_id", "start", "end", "path", "sha256")),
        "files": sorted(str(p.relative_to(root)) for p in root.rglob("*.ts")),
        "deleted": sorted(
            (r.camera_id, r.day, name)
            for r in DeletionRecord.objects.all()
            # A whole sealed day's record stands for the seal's segments.
            for name, _sha in (
                DailyDigest.objects.get(camera_id=r.camera_id, day=r.day).entries if r.sealed_head else r.entries
            )
        ),
        "ranges": merged(list(DeletedRange.objects.values_list("camera_id", "start", "end", "segment_count"))),
        "verified": all(verify_day(camera_id=cam.pk, day=day).ok for cam in cameras for day in days),
    }


def test_the_partitioned_index_deletes_exactly_what_the_unpartitioned_one_did(segments, recordings_root, settings):
    settings.RETENTION_BATCH_SIZE = 3  # batches cut runs, as they do at 5000 on a real day
    a, b = CameraFactory(retention_days=30), CameraFactory(retention_days=30)
    c = CameraFactory(retention_days=45)
    results = {}
    for partitioned in (False, True):
        savepoint = transaction.savepoint()
        with connection.cursor() as cur:
            if not partitioned:
                cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending on a table being rebuilt
                rebuild(cur, partitioned=False)
        build(segments, a, b, c)
        if partitioned:
            assert partitions.is_partitioned()
            # The fixture's days had no partition: their rows went to the default one; maintenance splits them out.
            partitions.ensure_partitions(now=NOW)
            assert {at(d, "00:00:00").date() for d in ("2026-10-10", "2026-10-20", "2026-10-21", "2026-10-28")} <= set(
                partitions.day_partitions()
            )
        else:
            assert not partitions.is_partitioned()
        services.enforce_retention(now=NOW)
        results[partitioned] = outcome(recordings_root, [a, b, c])
        whole_day_records = DeletionRecord.objects.exclude(sealed_head="")
        if partitioned:
            # a's 20 and 21 Oct and c's 10 Oct went whole and sealed: one short record each.
            assert sorted((r.camera_id, r.day.isoformat(), r.entries) for r in whole_day_records) == [
                (a.pk, "2026-10-20", []),
                (a.pk, "2026-10-21", []),
                (c.pk, "2026-10-10", []),
            ]
        else:
            assert not whole_day_records.exists()
        if partitioned:
            # The wholly expired days went at once: 10 Oct and 21 Oct dropped; 20 Oct kept its held and
            # longer-kept rows in a partition of its own; the day the cutoff cuts is still there.
            left = partitions.day_partitions()
            assert at("2026-10-10", "00:00:00").date() not in left
            assert at("2026-10-21", "00:00:00").date() not in left
            assert at("2026-10-20", "00:00:00").date() in left and at("2026-10-28", "00:00:00").date() in left
        transaction.savepoint_rollback(savepoint)
        for child in recordings_root.iterdir():
            shutil.rmtree(child)

    unpartitioned, partitioned = results[False], results[True]
    assert unpartitioned["verified"] and partitioned["verified"]
    assert partitioned == unpartitioned
    # And the fixture did exercise every case: held, longer period, young, and a cut run are kept.
    kept = {(cam, start.date()) for cam, start, *_ in unpartitioned["segments"]}
    assert (b.pk, at("2026-10-20", "00:00:00").date()) in kept and (c.pk, at("2026-10-20", "00:00:00").date()) in kept
    assert len(unpartitioned["segments"]) == 2 + 3 + 2 + 2 + 2
    assert len(unpartitioned["deleted"]) == 14 + 4 + 3 + 2


def test_held_footage_in_a_day_being_dropped_is_kept_until_released(segments, admin_user):
    camera = CameraFactory(retention_days=30)
    day = at("2026-10-01", "00:00:00")
    rows = segments(camera, day + timedelta(hours=9), 8)
    hold = services.create_hold(
        camera_ids=[camera.pk],
        start=rows[3].start,
        end=rows[4].end,
        reason="Police request 9/2026",
        created_by=admin_user,
    )
    partitions.ensure_partitions(now=NOW)
    table = partitions.day_partitions()[day.date()]

    done = services.enforce_retention(now=NOW)

    assert done[camera.pk].count == 6
    assert [s.pk for s in Segment.objects.filter(camera=camera)] == [rows[3].pk, rows[4].pk]
    assert all(storage.absolute(s.path).exists() for s in rows[3:5])
    assert not any(storage.absolute(s.path).exists() for s in rows[:3] + rows[5:])
    # The held rows are in their day's partition, the only rows it has now.
    with connection.cursor() as cur:
        cur.execute(f"SELECT id FROM {table} ORDER BY start")
        assert [r[0] for r in cur.fetchall()] == [rows[3].pk, rows[4].pk]
    ranges = list(DeletedRange.objects.filter(camera=camera).order_by("start").values_list("start", "end"))
    assert ranges == [(rows[0].start, rows[2].end), (rows[5].start, rows[7].end)]
    # Part of the day kept: its record lists what went, segment by segment.
    assert [n for r in DeletionRecord.objects.filter(camera=camera) for n, _ in r.entries] == [
        s.path for s in rows[:3] + rows[5:]
    ]

    services.release_hold(hold_id=hold.pk, reason="Case closed", released_by=admin_user)
    services.enforce_retention(now=NOW)

    assert not Segment.objects.filter(camera=camera).exists()
    assert day.date() not in partitions.day_partitions()
    assert verify_day(camera_id=camera.pk, day=day.date()).ok
