"""Queries over segments and gaps."""

from datetime import datetime, timedelta

from django.db import connection, models
from django.db.models import OuterRef, Subquery

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

    def newest_per_camera(self, camera_ids: list[int], *, since: datetime) -> dict[int, dict]:
        """Each camera's newest segment (greatest end): {camera id: {id, start, end, path, node}}; cameras
        without segments are left out.

        On PostgreSQL one DISTINCT ON over the rows that started since `since` (partition pruning keeps
        it to the newest day's partitions, and a recording camera always has rows there); only the cameras
        not found there are looked up across every day. Anywhere else (SQLite) that lookup for all."""
        fields = ("camera_id", "id", "start", "end", "path", "node")
        found: dict[int, dict] = {}
        wanted = list(camera_ids)
        if connection.vendor == "postgresql" and wanted:
            recent = (
                self.filter(camera_id__in=wanted, start__gte=since - LONGEST_SEGMENT)
                .order_by("camera_id", "-end", "-id")
                .distinct("camera_id")
                .values(*fields)
            )
            # A row that ended before `since` may not be the newest: one that started before the window
            # (no earlier than LONGEST_SEGMENT before `since`) may end later. Those cameras are looked up whole.
            found = {row["camera_id"]: row for row in recent if row["end"] >= since}
            wanted = [pk for pk in wanted if pk not in found]
        if wanted:
            newest = self.filter(camera=OuterRef("pk")).order_by("-end", "-id").values("pk")[:1]
            ids = [
                pk
                for pk in Camera.objects.filter(pk__in=wanted).annotate(n=Subquery(newest)).values_list("n", flat=True)
                if pk is not None
            ]
            found.update({row["camera_id"]: row for row in self.filter(pk__in=ids).values(*fields)})
        return found
