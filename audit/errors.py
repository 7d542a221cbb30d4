"""Errors of the audit log, shared by its models and querysets."""


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit entry."""
