"""Vilnius local times entered by people: DST gaps refused, repeated hours chosen explicitly."""

from datetime import UTC, date, datetime, time

import pytest
from django.utils import translation

from birzai_vms import localtime


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_normal_local_time_is_exact_utc():
    assert localtime.to_utc(date(2026, 6, 13), time(22, 10)) == datetime(2026, 6, 13, 19, 10, tzinfo=UTC)
    assert localtime.to_utc(date(2026, 1, 10), time(22, 10)) == datetime(2026, 1, 10, 20, 10, tzinfo=UTC)


def test_a_time_in_the_spring_forward_hour_is_refused_with_a_message():
    with pytest.raises(localtime.LocalTimeError, match="does not exist"):
        localtime.to_utc(date(2026, 3, 29), time(3, 30))


def test_a_time_in_the_repeated_october_hour_must_be_chosen():
    with pytest.raises(localtime.Ambiguous) as caught:
        localtime.to_utc(date(2026, 10, 25), time(3, 30))
    summer, winter = caught.value.choices
    assert summer == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert winter == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert localtime.to_utc(date(2026, 10, 25), time(3, 30), fold=0) == summer
    assert localtime.to_utc(date(2026, 10, 25), time(3, 30), fold=1) == winter


def test_days_of_the_clock_changes_have_23_and_25_hours():
    start, end = localtime.day_bounds(date(2026, 3, 29))
    assert (end - start).total_seconds() == 23 * 3600
    start, end = localtime.day_bounds(date(2026, 10, 25))
    assert (end - start).total_seconds() == 25 * 3600
    assert start == datetime(2026, 10, 24, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize("value", ["2026-13-01", "yesterday", ""])
def test_a_bad_date_gives_a_message(value):
    with pytest.raises(localtime.LocalTimeError):
        localtime.parse_date(value)


def test_an_instant_without_offset_is_refused():
    with pytest.raises(localtime.LocalTimeError):
        localtime.parse_instant("2026-06-13T19:10:00")
    assert localtime.parse_instant("2026-06-13T19:10:00Z") == datetime(2026, 6, 13, 19, 10, tzinfo=UTC)
