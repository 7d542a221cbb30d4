"""The uptime report: per camera, per eldership and in total, for a period of Vilnius dates.

Every figure comes from a handful of set-based queries (recorded time from reports.coverage, gaps grouped by
camera and cause in the database, footage held from one index probe per camera); Python only adds them up.
Definitions: docs/reports.md.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Greatest, Least

from birzai_vms import localtime
from cameras.models import Camera
from incidents.models import Incident
from recordings.choices import GapCause, SegmentStatus
from recordings.models import Gap, Segment

from . import coverage
from .filters import Filters


@dataclass
class Figures:
    """The report's figures for one camera, or summed over several (an eldership, the total)."""

    wall_s: float = 0.0
    recorded_s: float = 0.0
    gaps: dict[str, list[float]] = field(default_factory=dict)  # cause -> [count, seconds]
    days_held: float | None = None  # the least over the cameras summed
    incidents: int = 0
    acknowledged: int = 0
    ack_total_s: float = 0.0
    ack_max_s: float | None = None

    @property
    def uptime(self) -> float | None:
        """Recorded time / wall time, 0..1; None when the camera was not in service in the period."""
        return min(1.0, self.recorded_s / self.wall_s) if self.wall_s > 0 else None

    @property
    def gap_count(self) -> int:
        return int(sum(count for count, _s in self.gaps.values()))

    @property
    def gap_seconds(self) -> float:
        return sum(seconds for _c, seconds in self.gaps.values())

    @property
    def ack_mean_s(self) -> float | None:
        return self.ack_total_s / self.acknowledged if self.acknowledged else None

    def add(self, other: "Figures") -> None:
        self.wall_s += other.wall_s
        self.recorded_s += other.recorded_s
        for cause, (count, seconds) in other.gaps.items():
            mine = self.gaps.setdefault(cause, [0, 0.0])
            mine[0] += count
            mine[1] += seconds
        if other.days_held is not None:
            self.days_held = other.days_held if self.days_held is None else min(self.days_held, other.days_held)
        self.incidents += other.incidents
        self.acknowledged += other.acknowledged
        self.ack_total_s += other.ack_total_s
        if other.ack_max_s is not None:
            self.ack_max_s = max(self.ack_max_s or 0.0, other.ack_max_s)


@dataclass
class Line:
    """A row of the report: a camera, an eldership or the total."""

    label: str
    figures: Figures
    camera: Camera | None = None
    eldership: str = ""
    daily: dict[date, Figures] = field(default_factory=dict)


@dataclass
class UptimeReport:
    filters: Filters
    generated_at: datetime
    cameras: list[Line]
    elderships: list[Line]
    total: Line
    causes: list[tuple[str, str]]  # (cause, label) that occur, in the order of GapCause

    @property
    def days(self) -> list[date]:
        return self.filters.period.days


def wall_window(camera: Camera, start: datetime, end: datetime, now: datetime) -> tuple[datetime, datetime]:
    """The part of [start, end) in which the camera was in service: from its creation, until it was
    decommissioned, and not beyond now. Empty when start >= end of the result."""
    until = min(end, now, camera.decommissioned_at or end)
    return max(start, camera.created_at), until


def build_report(*, cameras: object, filters: Filters, now: datetime, total_label: str) -> UptimeReport:
    """The report over `cameras` (a queryset the caller restricted to what the user may see)."""
    period = filters.period
    if filters.eldership is not None:
        cameras = cameras.filter(eldership=filters.eldership)
    if filters.camera is not None:
        cameras = cameras.filter(pk=filters.camera.pk)
    # Cameras in service at some point of the period (one decommissioned before it is not reported).
    oldest = Segment.objects.filter(camera=OuterRef("pk"), status=SegmentStatus.OK).order_by("start")
    in_period = (
        cameras.filter(created_at__lt=period.end)
        .exclude(decommissioned_at__lte=period.start)
        .select_related("eldership")
        .annotate(oldest_footage=Subquery(oldest.values("start")[:1]))
        .order_by("eldership__name", "name")
    )
    camera_list = list(in_period)
    ids = [c.pk for c in camera_list]
    recorded = coverage.recorded_by_day(ids, period.start, period.end, now=now)
    gaps = _gaps(ids, period.start, period.end)
    incidents = _incidents(ids, period.start, period.end)
    day_bounds = {day: localtime.day_bounds(day) for day in period.days}

    lines, by_eldership = [], defaultdict(list)
    for camera in camera_list:
        line = Line(camera.name, Figures(), camera=camera, eldership=camera.eldership.name)
        wall_start, wall_end = wall_window(camera, period.start, period.end, now)
        for day, (day_start, day_end) in day_bounds.items():
            daily = Figures(recorded_s=recorded.get((camera.pk, day), 0.0))
            daily.wall_s = max(0.0, (min(day_end, wall_end) - max(day_start, wall_start)).total_seconds())
            line.daily[day] = daily
            line.figures.wall_s += daily.wall_s
            line.figures.recorded_s += daily.recorded_s
        line.figures.gaps = gaps.get(camera.pk, {})
        if camera.oldest_footage is not None:
            line.figures.days_held = max(0.0, (now - camera.oldest_footage) / timedelta(days=1))
        else:
            line.figures.days_held = 0.0
        if camera.pk in incidents:
            line.figures.add(incidents[camera.pk])
        lines.append(line)
        by_eldership[camera.eldership.name].append(line)

    elderships = [_summed(name, members, period.days) for name, members in by_eldership.items()]
    total = _summed(total_label, lines, period.days)
    seen = {cause for line in lines for cause in line.figures.gaps}
    causes = [(c.value, str(c.label)) for c in GapCause if c.value in seen]
    return UptimeReport(filters, now, lines, elderships, total, causes)


def _summed(label: str, members: list[Line], days: list[date]) -> Line:
    line = Line(label, Figures(), eldership=label)
    for member in members:
        line.figures.add(member.figures)
    for day in days:
        line.daily[day] = Figures()
        for member in members:
            line.daily[day].add(member.daily[day])
    return line


def _gaps(ids: list[int], start: datetime, end: datetime) -> dict[int, dict[str, list[float]]]:
    """Count and length (clipped to [start, end)) of the gaps by camera and cause, in one grouped query."""
    clipped = ExpressionWrapper(
        Least("end", Value(end, output_field=DateTimeField()))
        - Greatest("start", Value(start, output_field=DateTimeField())),
        output_field=DurationField(),
    )
    rows = (
        Gap.objects.filter(camera_id__in=ids)
        .overlapping(start, end)
        .values("camera_id", "cause")
        .annotate(count=Count("id"), length=Sum(clipped))
        .order_by()
    )
    result: dict[int, dict[str, list[float]]] = defaultdict(dict)
    for row in rows:
        result[row["camera_id"]][row["cause"]] = [row["count"], row["length"].total_seconds()]
    return result


def _incidents(ids: list[int], start: datetime, end: datetime) -> dict[int, Figures]:
    """Incidents that began in [start, end) by camera; time to acknowledgement of those acknowledged."""
    to_ack = ExpressionWrapper(F("acknowledged_at") - F("started_at"), output_field=DurationField())
    rows = (
        Incident.objects.filter(camera_id__in=ids, started_at__gte=start, started_at__lt=end)
        .values("camera_id")
        .annotate(
            count=Count("id"),
            acknowledged=Count("id", filter=Q(acknowledged_at__isnull=False)),
            ack_total=Sum(to_ack, filter=Q(acknowledged_at__isnull=False)),
            ack_max=Max(to_ack, filter=Q(acknowledged_at__isnull=False)),
        )
        .order_by()
    )
    return {
        row["camera_id"]: Figures(
            incidents=row["count"],
            acknowledged=row["acknowledged"],
            ack_total_s=row["ack_total"].total_seconds() if row["ack_total"] else 0.0,
            ack_max_s=row["ack_max"].total_seconds() if row["ack_max"] is not None else None,
        )
        for row in rows
    }


def as_percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.2f}"


def hours(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 3600:.2f}"
