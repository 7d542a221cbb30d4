"""Queries over the audit log; there is no bulk update or delete."""

from datetime import datetime

from django.db import models

from .errors import AppendOnlyError


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")


class SignedHeadQuerySet(AppendOnlyQuerySet):
    pass


class AuditEntryQuerySet(AppendOnlyQuerySet):
    def filtered(
        self,
        *,
        user: object = None,
        camera: object = None,
        action: str = "",
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> "AuditEntryQuerySet":
        """Entries matching the audit page's filters; empty filters match everything."""
        qs = self
        if user is not None:
            qs = qs.filter(user=user)
        if camera is not None:
            qs = qs.filter(camera=camera)
        if action:
            qs = qs.filter(action=action)
        if start is not None:
            qs = qs.filter(at__gte=start)
        if end is not None:
            qs = qs.filter(at__lt=end)
        return qs
