"""Queries over holds and deleted ranges; `restrict(user, action)` decides who may do what with which."""

from django.db.models import Exists, OuterRef

from cameras.models import Camera
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
        """Holds all of whose cameras the user may see. A hold that also covers a camera outside an
        Operator's scope tells of that camera (its reason, its time range): it is hidden as a whole."""
        visible = Camera.objects.visible_to(user).values("pk")
        covered = self.model.cameras.through.objects.filter(hold=OuterRef("pk"))
        return self.filter(Exists(covered.filter(camera__in=visible))).exclude(
            Exists(covered.exclude(camera__in=visible))
        )

    def restrict(self, user: object, action: str = "view") -> "HoldQuerySet":
        """The holds the user may `action` (view, add, change, release): the role's permission decides
        the action, the eldership scope the holds."""
        if not getattr(user, "is_authenticated", False) or not user.has_perm(f"retention.{action}_hold"):
            return self.none()
        return self.visible_to(user)


class DeletedRangeQuerySet(TimeRangeQuerySet):
    """Deleted ranges: `restrict(user, action)` as every time range of footage (TimeRangeQuerySet)."""
