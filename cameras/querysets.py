"""Queries over cameras."""

from django.db import models


class CameraQuerySet(models.QuerySet):
    def enabled(self) -> "CameraQuerySet":
        return self.filter(enabled=True)

    def in_eldership(self, eldership: object) -> "CameraQuerySet":
        return self.filter(eldership=eldership)

    def with_status(self) -> "CameraQuerySet":
        return self.select_related("eldership", "status")

    def visible_to(self, user: object) -> "CameraQuerySet":
        """The cameras this user may see; the one place that decides it (roles refine this later)."""
        if getattr(user, "is_authenticated", False) and getattr(user, "is_active", False):
            return self
        return self.none()
