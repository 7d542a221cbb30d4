"""Queries over footage requests: who may see which."""

from django.db import models

from accounts.services import sees_all_cameras


class DisclosureRequestQuerySet(models.QuerySet):
    def waiting(self) -> "DisclosureRequestQuerySet":
        return self.filter(state="waiting")

    def visible_to(self, user: object) -> "DisclosureRequestQuerySet":
        """The one rule: reviewers (who decide them) and administrators see every request, anyone else only
        their own."""
        if not (getattr(user, "is_authenticated", False) and getattr(user, "is_active", False)):
            return self.none()
        if sees_all_cameras(user):
            return self
        return self.filter(requester=user)

    def restrict(self, user: object, action: str = "view") -> "DisclosureRequestQuerySet":
        """The requests the user may `action` (view, review): the role's permission, then visible_to."""
        if not getattr(user, "is_authenticated", False) or not user.has_perm(f"disclosures.{action}_disclosurerequest"):
            return self.none()
        if action == "review":
            return self
        return self.visible_to(user)
