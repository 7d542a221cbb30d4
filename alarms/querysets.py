"""Queries over alarms."""

from django.db import models


class AlarmQuerySet(models.QuerySet):
    def open(self) -> "AlarmQuerySet":
        return self.filter(ended_at__isnull=True)

    def visible_to(self, user: object) -> "AlarmQuerySet":
        """Alarms of cameras the user may see, and system-wide ones (no camera) for any signed-in user."""
        from cameras.models import Camera

        if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
            return self.none()
        return self.filter(models.Q(camera__isnull=True) | models.Q(camera__in=Camera.objects.visible_to(user)))
