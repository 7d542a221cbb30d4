"""Periodic work of the reports app. Safe to run twice (a stored hour is never stored again)."""

from celery import shared_task
from django.utils import timezone

from . import coverage


@shared_task(ignore_result=True)
def store_recorded_hours() -> int:
    """Compute the recorded time of the hours settled since the last run (and of hours whose segment rows
    changed), so that the uptime report reads stored hours only."""
    return coverage.store_settled_hours(now=timezone.now())
