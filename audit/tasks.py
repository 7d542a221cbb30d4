"""Periodic audit work: sign the log's head with the installation's key."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sign_audit_head() -> int | None:
    """Sign the current head (safe to run twice: an unchanged head is signed once)."""
    head = services.sign_head()
    return head.seq if head else None
