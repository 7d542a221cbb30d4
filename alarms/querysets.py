"""Queries over alarms."""

from django.db import models

from accounts.services import browses_cameras
from cameras.models import Camera


class AlarmQuerySet(models.QuerySet):
    def open(self) -> "AlarmQuerySet":
        return self.filter(ended_at__isnull=True)

    def visible_to(self, user: object) -> "AlarmQuerySet":
        """Alarms of cameras the user may see, and system-wide ones (no camera) for staff who look after
        cameras (not Police)."""
        if not browses_cameras(user):  # False for anonymous and inactive users too
            return self.none()
        return self.filter(models.Q(camera__isnull=True) | models.Q(camera__in=Camera.objects.visible_to(user)))

    def restrict(self, user: object, action: str = "view") -> "AlarmQuerySet":
        """The alarms the user may `action`: the role's permission decides the action, the scope the alarms."""
        if not getattr(user, "is_authenticated", False) or not user.has_perm(f"alarms.{action}_alarm"):
            return self.none()
        return self.visible_to(user)
