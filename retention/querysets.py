"""Queries over holds and deleted ranges."""

from recordings.querysets import TimeRangeQuerySet


class HoldQuerySet(TimeRangeQuerySet):
    """A hold covers cameras (many) over [start, end); overlapping() comes from TimeRangeQuerySet."""

    def active(self) -> "HoldQuerySet":
        return self.filter(released_at__isnull=True)

    def covering(self, camera_id: int) -> "HoldQuerySet":
        return self.filter(cameras=camera_id)

    def of_camera(self, camera: object) -> "HoldQuerySet":
        return self.filter(cameras=camera)

    def visible_to(self, user: object) -> "HoldQuerySet":
        """Holds that cover at least one camera the user may see."""
        from cameras.models import Camera

        return self.filter(cameras__in=Camera.objects.visible_to(user)).distinct()


class DeletedRangeQuerySet(TimeRangeQuerySet):
    pass
