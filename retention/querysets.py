"""Queries over holds and deleted ranges."""

from datetime import datetime

from django.db import models

from recordings.querysets import TimeRangeQuerySet


class HoldQuerySet(models.QuerySet):
    def active(self) -> "HoldQuerySet":
        return self.filter(released_at__isnull=True)

    def covering(self, camera_id: int) -> "HoldQuerySet":
        return self.filter(cameras=camera_id)

    def overlapping(self, start: datetime | None, end: datetime | None) -> "HoldQuerySet":
        qs = self
        if end is not None:
            qs = qs.filter(start__lt=end)
        if start is not None:
            qs = qs.filter(end__gt=start)
        return qs

    def visible_to(self, user: object) -> "HoldQuerySet":
        """Holds that cover at least one camera the user may see."""
        from cameras.models import Camera

        return self.filter(cameras__in=Camera.objects.visible_to(user)).distinct()


class DeletedRangeQuerySet(TimeRangeQuerySet):
    pass
