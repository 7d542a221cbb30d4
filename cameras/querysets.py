"""Queries over cameras."""

from django.db import models

from accounts.services import scoped_eldership_ids, sees_all_cameras


class CameraQuerySet(models.QuerySet):
    def enabled(self) -> "CameraQuerySet":
        return self.filter(enabled=True)

    def in_service(self) -> "CameraQuerySet":
        """Not decommissioned: the cameras dashboards, status events and live views show."""
        return self.filter(decommissioned_at__isnull=True)

    def recordable(self) -> "CameraQuerySet":
        """The cameras a recorder should be running for: enabled and in service (the one decision)."""
        return self.enabled().in_service()

    def decommissioned(self) -> "CameraQuerySet":
        return self.filter(decommissioned_at__isnull=False)

    def in_eldership(self, eldership: object) -> "CameraQuerySet":
        return self.filter(eldership=eldership)

    def with_status(self) -> "CameraQuerySet":
        """With what a status tile shows: eldership, status and open alarms (as `open_alarms`), in two queries."""
        # Alarms sit above cameras (they point at one); their model is reached through that relation.
        alarms = self.model._meta.get_field("alarms").related_model.objects
        open_alarms = models.Prefetch("alarms", alarms.open().order_by("started_at"), to_attr="open_alarms")
        return self.select_related("eldership", "status").prefetch_related(open_alarms)

    def restrict(self, user: object, action: str = "view") -> "CameraQuerySet":
        """The cameras the user may `action`: the role's permission decides the action, visible_to the cameras."""
        if not getattr(user, "is_authenticated", False) or not user.has_perm(f"cameras.{action}_camera"):
            return self.none()
        if action == "request":
            # Police browse no camera, yet may ask for any camera's footage: the review decides what is released.
            return self
        return self.visible_to(user)

    def visible_to(self, user: object) -> "CameraQuerySet":
        """The cameras this user may see; the one place that decides it. Superusers, Administrators and
        Reviewers see all; an Operator the cameras of the elderships in their scope; Police and users
        without a role none (police get footage only through approved requests)."""
        if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
            return self.none()
        if sees_all_cameras(user):
            return self
        return self.filter(eldership__in=scoped_eldership_ids(user))
