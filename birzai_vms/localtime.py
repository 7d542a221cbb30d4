"""Europe/Vilnius local dates and times entered by people, turned into exact UTC instants.

A local time in the spring-forward hour does not exist and is refused; one in the October hour that
occurs twice is ambiguous and must be chosen explicitly (EEST, UTC+3, the first; EET, UTC+2, the second).
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from birzai_vms import params

VILNIUS = ZoneInfo("Europe/Vilnius")


class LocalTimeError(ValueError):
    """The entered date or time cannot be used; the message is meant for the person who entered it."""


class Ambiguous(LocalTimeError):
    """The local time occurs twice; `choices` are the two instants (summer time first)."""

    def __init__(self, local: datetime, choices: tuple[datetime, datetime]) -> None:
        super().__init__(local)
        self.local = local
        self.choices = choices

    def __str__(self) -> str:
        message = _("%(time)s occurs twice on this day (clocks go back): choose summer (EEST) or winter time (EET).")
        return message % {"time": self.local.strftime("%Y-%m-%d %H:%M:%S")}


def parse_date(value: str | None) -> date:
    if not value:
        raise LocalTimeError(_("Enter a date."))
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise LocalTimeError(_("“%(value)s” is not a date; use YYYY-MM-DD.") % {"value": value[:40]}) from exc
    if not params.day_within_bounds(day):
        raise LocalTimeError(params.out_of_range_message())
    return day


def parse_time(value: str | None) -> time:
    if not value:
        return time(0, 0)
    try:
        parsed = time.fromisoformat(value.strip())
    except ValueError as exc:
        raise LocalTimeError(_("“%(value)s” is not a time; use HH:MM or HH:MM:SS.") % {"value": value[:40]}) from exc
    return parsed.replace(tzinfo=None)


def to_utc(day: date, at: time, *, fold: int | None = None) -> datetime:
    """The UTC instant of a Vilnius wall-clock time; `fold` picks the first (0) or second (1) of a repeated hour."""
    naive = datetime.combine(day, at)
    first, second = naive.replace(tzinfo=VILNIUS, fold=0), naive.replace(tzinfo=VILNIUS, fold=1)
    for candidate in (first, second):
        # A time that does not exist does not survive the round trip through UTC.
        if candidate.astimezone(UTC).astimezone(VILNIUS).replace(tzinfo=None) != naive:
            raise LocalTimeError(
                _("%(time)s does not exist in Vilnius: the clocks jump from 03:00 to 04:00 that night.")
                % {"time": naive.strftime("%Y-%m-%d %H:%M")}
            )
    if first.utcoffset() != second.utcoffset():
        if fold is None:
            raise Ambiguous(naive, (first.astimezone(UTC), second.astimezone(UTC)))
        return (first if fold == 0 else second).astimezone(UTC)
    return first.astimezone(UTC)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC start and end of a Vilnius calendar day (23, 24 or 25 hours long); the day comes from
    `parse_date`, within the bounds, so the next day exists."""
    start = datetime.combine(day, time(0), tzinfo=VILNIUS).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=VILNIUS).astimezone(UTC)
    return start, end


def neighbour_day(day: date, days: int) -> date | None:
    """The day `days` away, or None when it is outside the dates that can be asked for (day navigation)."""
    try:
        other = day + timedelta(days=days)
    except OverflowError:
        return None
    return other if params.day_within_bounds(other) else None


def local(instant: datetime) -> datetime:
    return instant.astimezone(VILNIUS)


def parse_instant(value: str | None) -> datetime:
    """An exact instant from a URL parameter: ISO 8601 with an offset (or Z)."""
    if not value:
        raise LocalTimeError(_("A start and an end time are needed."))
    try:
        parsed = datetime.fromisoformat(value.strip().replace(" ", "+"))
    except ValueError as exc:
        raise LocalTimeError(_("“%(value)s” is not an exact time.") % {"value": value[:40]}) from exc
    if parsed.tzinfo is None:
        raise LocalTimeError(_("An exact time needs its UTC offset."))
    # Compared before converting: converting year 1 or 9999 across an offset overflows.
    if not params.within_bounds(parsed):
        raise LocalTimeError(params.out_of_range_message())
    return parsed.astimezone(UTC)
