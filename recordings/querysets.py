"""Queries over segments and gaps."""

from datetime import datetime

from django.db import models


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

    def visible_to(self, user: object) -> "TimeRangeQuerySet":
        from cameras.models import Camera

        return self.filter(camera__in=Camera.objects.visible_to(user))
