"""The storage projection's bytes per camera come from running totals of closed days (PostgreSQL with
partitions), and they stay equal to the rows' sum through deletions, late rows and whole-day sweeps."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Sum

from recordings import partitions
from recordings.models import Segment
from retention import services, totals
from retention.choices import DeletionReason
from retention.models import StoredDay
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)  # yesterday is not sealed yet: open


@pytest.fixture(autouse=True)
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("partitioning is PostgreSQL's; SQLite sums the rows")


def at(day: str, time: str) -> datetime:
    return datetime.fromisoformat(f"{day}T{time}+00:00")


def summed(node: str) -> dict[int, int]:
    rows = Segment.objects.filter(node=node).values("camera").annotate(b=Sum("bytes")).values_list("camera", "b")
    return {camera_id: int(size) for camera_id, size in rows}


def test_closed_days_are_summed_once_and_kept_equal_to_the_rows(segments, settings):
    node = settings.NODE_NAME
    a, b = CameraFactory(retention_days=30), CameraFactory(retention_days=30)
    segments(a, at("2026-10-20", "10:00:00"), 4)  # expires at NOW + 7 days
    segments(a, at("2026-11-20", "10:00:00"), 4)
    segments(b, at("2026-11-20", "10:00:00"), 3)
    segments(a, at("2026-11-26", "23:00:00"), 2)  # yesterday: open
    segments(b, at("2026-11-27", "09:00:00"), 2)  # today
    partitions.ensure_partitions(now=NOW)

    assert totals.stored_bytes(node=node, now=NOW) == summed(node)
    assert sorted(StoredDay.objects.values_list("day", flat=True).distinct()) == [
        date(2026, 10, 20),
        date(2026, 11, 20),
    ]
    assert StoredDay.objects.filter(day=date(2026, 11, 26)).count() == 0

    # A deletion batch takes what it deleted off its day's total, in its own transaction.
    services.delete_batch(
        camera_id=a.pk, before=at("2026-11-20", "10:00:08"), limit=100, reason=DeletionReason.DISK_PRESSURE, now=NOW
    )
    assert totals.stored_bytes(node=node, now=NOW) == summed(node)

    # A row added to a closed day later (a late segment) makes the day summed again.
    segments(b, at("2026-11-20", "12:00:00"), 1)
    assert totals.stored_bytes(node=node, now=NOW) == summed(node)

    # A whole-day sweep drops the day and its totals.
    later = NOW + timedelta(days=8)
    services.enforce_retention(now=later)
    assert not Segment.objects.filter(start__lt=at("2026-10-21", "00:00:00")).exists()
    assert totals.stored_bytes(node=node, now=later) == summed(node)
    assert not StoredDay.objects.filter(day=date(2026, 10, 20)).exists()
    assert StoredDay.objects.filter(day=date(2026, 11, 26)).exists()  # closed by now


def test_other_nodes_footage_is_not_counted(segments, settings):
    a = CameraFactory()
    segments(a, at("2026-11-20", "10:00:00"), 3)
    partitions.ensure_partitions(now=NOW)
    Segment.objects.filter(start=at("2026-11-20", "10:00:00")).update(node="other-node")

    mine = totals.stored_bytes(node=settings.NODE_NAME, now=NOW)
    assert mine == summed(settings.NODE_NAME)
    assert totals.stored_bytes(node="other-node", now=NOW) == summed("other-node")
