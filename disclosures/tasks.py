"""Beat task of the request workflow."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def release_due_holds() -> int:
    """Release the holds of downloaded requests whose keeping time is over (safe to run twice)."""
    return services.release_due_holds()
