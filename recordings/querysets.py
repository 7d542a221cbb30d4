"""Queries over segments and gaps."""

from datetime import datetime, timedelta

from django.db import models

from cameras.models import Camera

# No segment is longer than this: they are cut at the first keyframe after SEGMENT_SECONDS. The bound
# lets a time-range lookup use the (camera, start) index from both ends instead of scanning a month.
LONGEST_SEGMENT = timedelta(minutes=5)
# Segments closer than this are one continuous recording (the recorder cuts them back to back); a
# longer hole is a Gap row, a discontinuity in a playlist and a break in the timeline.
CONTIGUOUS = timedelta(seconds=0.25)


class TimeRangeQuerySet(models.QuerySet):
    def of_camera(self, camera: object) -> "TimeRangeQuerySet":
        return self.filter(camera=camera)

    def overlapping(self, start: datetime | None, end: datetime | None) -> "TimeRangeQuerySet":
        """Rows that share any instant with [start, end)."""
        qs = self
        if end is not None:
            qs = qs.filter(start__lt=end)
        if start is not None:
            qs = qs.filter(end__gt=start)
        return qs

    def not_overlapping(self, start: datetime, end: datetime) -> "TimeRangeQuerySet":
        """Rows that share no instant with [start, end)."""
        return self.exclude(start__lt=end, end__gt=start)

    def starting_in(self, start: datetime, end: datetime) -> "TimeRangeQuerySet":
        """Rows that start within [start, end): the day a segment belongs to, whatever its end."""
        return self.filter(start__gte=start, start__lt=end)

    def starting_before(self, instant: datetime) -> "TimeRangeQuerySet":
        return self.filter(start__lt=instant)

    def ended_by(self, instant: datetime) -> "TimeRangeQuerySet":
        """Rows wholly before the instant (their end is exclusive)."""
        return self.filter(end__lte=instant)

    def ending_after(self, instant: datetime) -> "TimeRangeQuerySet":
        return self.filter(end__gt=instant)

    def containing(self, instant: datetime) -> "TimeRangeQuerySet":
        """Rows whose [start, end) contains the instant."""
        return self.filter(start__lte=instant, end__gt=instant)

    def visible_to(self, user: object) -> "TimeRangeQuerySet":
        return self.filter(camera__in=Camera.objects.visible_to(user))

    def restrict(self, user: object, action: str = "view") -> "TimeRangeQuerySet":
        """The rows the user may `action` (view, add, ...): the role's permission on this model decides the
        action, the eldership scope of the rows' cameras decides the rows (as NetBox's RestrictedQuerySet)."""
        opts = self.model._meta
        if not getattr(user, "is_authenticated", False) or not user.has_perm(
            f"{opts.app_label}.{action}_{opts.model_name}"
        ):
            return self.none()
        return self.visible_to(user)


class SegmentQuerySet(TimeRangeQuerySet):
    def overlapping(self, start: datetime | None, end: datetime | None) -> "SegmentQuerySet":
        qs = super().overlapping(start, end)
        return qs.filter(start__gt=start - LONGEST_SEGMENT) if start is not None else qs
