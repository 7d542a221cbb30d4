"""The report's filters from a query string: a period of Vilnius dates, an eldership, a camera; each bad value
becomes a message for the person who typed it."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.http import QueryDict
from django.utils.translation import gettext as _

from birzai_vms import localtime, params
from cameras.models import Camera
from eldership.models import Eldership

DAY, MONTH, RANGE = "day", "month", "range"
PERIODS = (DAY, MONTH, RANGE)
# A custom range is at most a year (and a leap day): the report reads one row per camera and hour.
LONGEST_RANGE_DAYS = 366
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")


class FilterError(ValueError):
    """A filter value cannot be used; `status` is 400 (malformed) or 404 (not visible)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Period:
    """Vilnius dates first..last (both included) and the UTC instants [start, end) they cover."""

    kind: str
    first: date
    last: date
    start: datetime
    end: datetime

    @property
    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True)
class Filters:
    period: Period
    eldership: Eldership | None
    camera: Camera | None

    def query(self) -> dict[str, str]:
        """The query string that selects the same report (for the CSV and PDF links)."""
        q = {"period": self.period.kind}
        if self.period.kind == DAY:
            q["date"] = self.period.first.isoformat()
        elif self.period.kind == MONTH:
            q["month"] = self.period.first.strftime("%Y-%m")
        else:
            q |= {"from": self.period.first.isoformat(), "to": self.period.last.isoformat()}
        if self.eldership:
            q["eldership"] = str(self.eldership.pk)
        if self.camera:
            q["camera"] = str(self.camera.pk)
        return q


def period_of(kind: str, first: date, last: date) -> Period:
    start, _end = localtime.day_bounds(first)
    return Period(kind, first, last, start, localtime.day_bounds(last)[1])


def parse_month(value: str) -> tuple[date, date]:
    match = _MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise FilterError(_("“%(value)s” is not a month; use YYYY-MM.") % {"value": value[:40]})
    year, month = int(match[1]), int(match[2])
    if not params.EARLIEST_DAY.year <= year <= params.LATEST_DAY.year:
        raise FilterError(params.out_of_range_message())
    first = date(year, month, 1)
    last = (first + timedelta(days=31)).replace(day=1) - timedelta(days=1)
    return first, last


def parse_period(data: QueryDict, today: date) -> Period:
    kind = data.get("period") or (RANGE if data.get("from") or data.get("to") else DAY if data.get("date") else MONTH)
    if kind not in PERIODS:
        raise FilterError(_("Choose a day, a month or a range of dates."))
    try:
        if kind == DAY:
            day = localtime.parse_date(data.get("date") or today.isoformat())
            return period_of(DAY, day, day)
        if kind == MONTH:
            return period_of(MONTH, *parse_month(data.get("month") or today.strftime("%Y-%m")))
        first = localtime.parse_date(data.get("from"))
        last = localtime.parse_date(data.get("to"))
    except localtime.LocalTimeError as exc:
        raise FilterError(str(exc)) from exc
    if last < first:
        raise FilterError(_("The last day comes before the first."))
    if (last - first).days + 1 > LONGEST_RANGE_DAYS:
        raise FilterError(_("Choose at most %(days)s days.") % {"days": LONGEST_RANGE_DAYS})
    return period_of(RANGE, first, last)


def parse_filters(data: QueryDict, *, cameras: object, today: date) -> Filters:
    """`cameras`: the cameras the user may see; an eldership or camera outside them is not found."""
    period = parse_period(data, today)
    eldership = camera = None
    if value := data.get("eldership"):
        if not params.is_id(value):
            raise FilterError(_("There is no such eldership."))
        eldership = Eldership.objects.filter(pk=value, cameras__in=cameras).distinct().first()
        if eldership is None:
            raise FilterError(_("This eldership does not exist or you may not see its cameras."), 404)
    if value := data.get("camera"):
        if not params.is_id(value):
            raise FilterError(_("Camera numbers must be whole numbers."))
        camera = cameras.filter(pk=value).first()
        if camera is None:
            raise FilterError(_("This camera does not exist or you may not see it."), 404)
        if eldership is not None and camera.eldership_id != eldership.pk:
            raise FilterError(_("This camera is not in the chosen eldership."))
    return Filters(period, eldership, camera)
