"""Queries over incidents."""

from datetime import datetime

from django.db import models

from accounts.services import browses_cameras
from cameras.models import Camera


class IncidentQuerySet(models.QuerySet):
    def open(self) -> "IncidentQuerySet":
        return self.filter(ended_at__isnull=True)

    def overlapping(self, start: datetime, end: datetime) -> "IncidentQuerySet":
        """Incidents that were open at some instant of [start, end) (an open one lasts to now)."""
        return self.filter(models.Q(ended_at__isnull=True) | models.Q(ended_at__gt=start), started_at__lt=end)

    def visible_to(self, user: object) -> "IncidentQuerySet":
        """Incidents of cameras the user may see (staff who look after cameras, not Police)."""
        if not browses_cameras(user):
            return self.none()
        return self.filter(camera__in=Camera.objects.visible_to(user))

    def restrict(self, user: object, action: str = "view") -> "IncidentQuerySet":
        """The incidents the user may `action`: the role's permission decides the action, the scope the rows."""
        if not getattr(user, "is_authenticated", False) or not user.has_perm(f"incidents.{action}_incident"):
            return self.none()
        return self.visible_to(user)
