"""API pagination with a ceiling: a huge ?limit= is capped, never sent to the database (it was a 500)."""

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = 5000
