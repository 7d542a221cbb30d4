"""The report's figures are what the Segment, Gap and Incident rows say for the same range, computed here the
plain way: on the DST day (25 hours), across local midnights, with overlapping and nested segments, from the
stored recorded hours and from the rows directly (the unsettled last hour), and after the rows change."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.http import QueryDict

from cameras.models import Camera
from recordings.models import Segment
from reports import coverage
from reports.filters import DAY, MONTH, RANGE, Filters, period_of
from reports.models import CoverageHour
from reports.services import build_report
from tests.reports.world import DST_DAY_END, DST_DAY_START, build, plain_gaps, plain_recorded, seg

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 29, 6, 0, tzinfo=UTC)


@pytest.fixture
def world():
    return build()


def report(period, now=NOW, **kw):
    return build_report(
        cameras=Camera.objects.all(),
        filters=Filters(period, kw.get("eldership"), kw.get("camera")),
        now=now,
        total_label="All",
    )


def by_name(rep):
    return {line.label: line.figures for line in rep.cameras}


def test_the_dst_day_is_25_hours_and_every_figure_matches_the_rows(world):
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    assert (period.start, period.end) == (DST_DAY_START, DST_DAY_END)
    figures = by_name(report(period))
    for camera in (world.cam_a, world.cam_b, world.cam_c):
        mine = figures[camera.name]
        assert mine.wall_s == 25 * 3600
        assert mine.recorded_s == pytest.approx(plain_recorded(camera, DST_DAY_START, DST_DAY_END), abs=1e-6)
        expected = plain_gaps(camera, DST_DAY_START, DST_DAY_END)
        assert {c: (int(n), pytest.approx(s)) for c, (n, s) in mine.gaps.items()} == expected
    a = figures[world.cam_a.name]
    # 3600 s of the hour + 2.5 s of the overlapping one past it + 10 s after midnight + 3 s before the next.
    assert a.recorded_s == pytest.approx(3600 + 2.5 + 10 + 3)
    assert a.uptime == pytest.approx(a.recorded_s / 90000)
    b = figures[world.cam_b.name]
    assert b.recorded_s == pytest.approx(540 + 300)
    assert (b.incidents, b.acknowledged, b.ack_mean_s, b.ack_max_s) == (2, 1, 180, 180)
    assert (a.incidents, a.acknowledged, a.ack_mean_s) == (1, 1, 420)
    assert figures[world.cam_c.name].recorded_s == 0


def test_a_range_across_the_dst_change_sums_23_24_and_25_hour_days(world):
    period = period_of(RANGE, date(2026, 10, 24), date(2026, 10, 26))
    rep = report(period)
    assert rep.total.figures.wall_s == 3 * (24 + 24 + 25) * 3600
    for camera in (world.cam_a, world.cam_b, world.cam_c):
        line = next(line for line in rep.cameras if line.camera == camera)
        assert line.figures.recorded_s == pytest.approx(plain_recorded(camera, period.start, period.end))
        for day in period.days:
            start, end = period_of(DAY, day, day).start, period_of(DAY, day, day).end
            assert line.daily[day].recorded_s == pytest.approx(plain_recorded(camera, start, end)), day
            assert line.daily[day].wall_s == (end - start).total_seconds()
    north = next(line for line in rep.elderships if line.label == world.north.name)
    assert north.figures.recorded_s == pytest.approx(
        plain_recorded(world.cam_a, period.start, period.end) + plain_recorded(world.cam_b, period.start, period.end)
    )
    assert north.figures.incidents == 3


def test_a_month_counts_the_segment_at_its_first_local_midnight_and_the_30th_at_its_wall_time(world):
    period = period_of(MONTH, date(2026, 10, 1), date(2026, 10, 31))
    assert period.start == datetime(2026, 9, 30, 21, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 10, 31, 22, 0, tzinfo=UTC)
    figures = by_name(report(period))
    assert figures[world.cam_c.name].recorded_s == pytest.approx(2)  # 2 s of it are still September
    assert figures[world.cam_a.name].wall_s == (31 * 24 + 1) * 3600
    for camera in (world.cam_a, world.cam_b):
        assert figures[camera.name].recorded_s == pytest.approx(plain_recorded(camera, period.start, period.end))
        assert figures[camera.name].gaps.keys() == plain_gaps(camera, period.start, period.end).keys()


def test_the_unsettled_hours_come_from_the_rows_and_are_not_stored(world):
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    now = datetime(2026, 10, 25, 1, 5, tzinfo=UTC)  # inside the DST day: the hour from 00:00 UTC is not settled
    figures = by_name(report(period, now=now))
    a = figures[world.cam_a.name]
    assert a.recorded_s == pytest.approx(plain_recorded(world.cam_a, DST_DAY_START, DST_DAY_END))
    assert a.wall_s == (now - DST_DAY_START).total_seconds()
    stored = set(CoverageHour.objects.values_list("hour", flat=True))
    assert max(stored) == datetime(2026, 10, 24, 23, 0, tzinfo=UTC)


def test_a_segment_added_or_removed_in_a_stored_hour_changes_the_report(world):
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    before = by_name(report(period))[world.cam_b.name].recorded_s
    assert CoverageHour.objects.filter(camera=world.cam_b).count() == 25
    added = seg(world.cam_b, datetime(2026, 10, 25, 12, 0, tzinfo=UTC), 4)
    assert CoverageHour.objects.filter(camera=world.cam_b).count() == 24  # its hour was forgotten
    assert by_name(report(period))[world.cam_b.name].recorded_s == pytest.approx(before + 4)
    Segment.objects.filter(pk=added.pk).update(status="missing")
    assert by_name(report(period))[world.cam_b.name].recorded_s == pytest.approx(before)
    Segment.objects.filter(camera=world.cam_b).delete()
    assert by_name(report(period))[world.cam_b.name].recorded_s == 0


def test_the_sqlite_path_computes_the_same_days_from_the_rows(world):
    period = period_of(RANGE, date(2026, 10, 24), date(2026, 10, 26))
    ids = [world.cam_a.pk, world.cam_b.pk, world.cam_c.pk]
    stored = coverage.recorded_by_day(ids, period.start, period.end, now=NOW)
    live = coverage._live_by_day(ids, period.start, period.end)
    assert stored.keys() == live.keys()
    assert all(stored[k] == pytest.approx(live[k]) for k in live)


def test_a_camera_decommissioned_or_created_within_the_period_counts_only_its_time_in_service(world):
    Camera.objects.filter(pk=world.cam_b.pk).update(
        enabled=False, decommissioned_at=datetime(2026, 10, 25, 10, 0, tzinfo=UTC)
    )
    Camera.objects.filter(pk=world.cam_c.pk).update(created_at=datetime(2026, 10, 25, 20, 0, tzinfo=UTC))
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    figures = by_name(report(period))
    assert figures[world.cam_b.name].wall_s == (datetime(2026, 10, 25, 10, 0, tzinfo=UTC) - DST_DAY_START).seconds
    assert figures[world.cam_c.name].wall_s == 2 * 3600
    Camera.objects.filter(pk=world.cam_b.pk).update(decommissioned_at=DST_DAY_START)
    assert world.cam_b.name not in by_name(report(period))


def test_days_held_is_the_age_of_the_oldest_footage(world):
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    figures = by_name(report(period))
    oldest = Segment.objects.filter(camera=world.cam_a, status="ok").order_by("start").first().start
    assert figures[world.cam_a.name].days_held == pytest.approx((NOW - oldest).total_seconds() / 86400)
    assert figures[world.cam_c.name].days_held == pytest.approx(
        (NOW - datetime(2026, 9, 30, 20, 59, 58, tzinfo=UTC)).total_seconds() / 86400
    )


def test_the_query_string_picks_the_period(world):
    from reports.filters import parse_period

    today = date(2026, 11, 29)
    assert parse_period(QueryDict(""), today).first == date(2026, 11, 1)
    assert parse_period(QueryDict("date=2026-10-25"), today).kind == DAY
    assert parse_period(QueryDict("period=month&month=2026-02"), today).last == date(2026, 2, 28)
    assert parse_period(QueryDict("from=2026-10-01&to=2026-10-03"), today).days[-1] == date(2026, 10, 3)


def test_a_camera_added_later_gets_its_hours_without_the_others_being_computed_again(world):
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    report(period)
    stored = {row.pk for row in CoverageHour.objects.all()}
    newcomer = Camera.objects.create(eldership=world.south, name="Naujoji", rtsp_url="rtsp://127.0.0.1:1/x")
    Camera.objects.filter(pk=newcomer.pk).update(created_at=datetime(2026, 9, 1, tzinfo=UTC))
    seg(newcomer, datetime(2026, 10, 25, 5, 0, tzinfo=UTC), 4)
    figures = by_name(report(period))
    assert figures["Naujoji"].recorded_s == 4
    assert stored <= {row.pk for row in CoverageHour.objects.all()}  # the others' rows were kept, not redone
    assert CoverageHour.objects.filter(camera=newcomer).count() == 25


def test_the_periodic_task_stores_the_settled_hours_the_report_then_reads(world):
    from reports.tasks import store_recorded_hours

    Camera.objects.update(retention_days=40)
    assert store_recorded_hours() == 3
    now = datetime.now(UTC)
    newest = CoverageHour.objects.order_by("-hour").first().hour
    assert now - timedelta(minutes=10) - timedelta(hours=1) <= newest + timedelta(hours=1) <= now
    assert CoverageHour.objects.filter(hour__lt=now - timedelta(days=41, hours=1)).count() == 0
    stored = CoverageHour.objects.count()
    assert stored == 3 * CoverageHour.objects.filter(camera=world.cam_a).count()
    store_recorded_hours()  # nothing new to do: nothing is stored twice
    assert CoverageHour.objects.count() in {stored, stored + 3}  # (an hour may have settled meanwhile)


def test_footage_removed_without_a_delete_trigger_is_forgotten_through_its_deleted_range(world):
    """A day partition dropped whole fires no trigger; its DeletedRange tells the report instead."""
    from django.db import connection

    from retention.models import DeletedRange

    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    assert by_name(report(period))[world.cam_b.name].recorded_s == 840
    with connection.cursor() as cur:
        # No trigger fires in replica mode: the rows go as a dropped partition's would.
        cur.execute("SET session_replication_role = replica")
        cur.execute("DELETE FROM recordings_segment WHERE camera_id = %s", [world.cam_b.pk])
        cur.execute("SET session_replication_role = DEFAULT")
    assert by_name(report(period))[world.cam_b.name].recorded_s == 840  # stale: nothing said it changed
    DeletedRange.objects.create(
        camera=world.cam_b,
        start=datetime(2026, 10, 25, 6, 0, tzinfo=UTC),
        end=datetime(2026, 10, 25, 8, 5, tzinfo=UTC),
        segment_count=3,
        bytes=3000,
        reason="retention",
        deleted_at=NOW,
    )
    assert by_name(report(period))[world.cam_b.name].recorded_s == 0
    assert by_name(report(period))[world.cam_a.name].recorded_s == pytest.approx(
        plain_recorded(world.cam_a, DST_DAY_START, DST_DAY_END)
    )


def test_the_migrations_leave_the_triggers_on_the_partitioned_segment_table(world):
    """recordings 0007 rebuilds the table (dropping 0002's triggers); reports 0004 puts them back."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'recordings_segment'::regclass AND NOT tgisinternal"
        )
        names = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = 'recordings_segment'::regclass")
        assert cursor.fetchone() == ("p",)  # the rebuilt, partitioned table
    assert {"reports_segment_inserted", "reports_segment_updated", "reports_segment_deleted"} <= names
    period = period_of(DAY, date(2026, 10, 25), date(2026, 10, 25))
    report(period)
    seg(world.cam_b, datetime(2026, 10, 25, 12, 0, tzinfo=UTC), 4)
    assert by_name(report(period))[world.cam_b.name].recorded_s == 844
