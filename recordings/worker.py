"""The capture worker's warm shutdown: long-running capture tasks would otherwise hold it forever.

Connected here, by the app that owns the recorders (RecordingsConfig.ready imports this module), not
by the Celery app in birzai_vms, which imports no app."""

from celery.signals import worker_shutting_down

from .capture.supervisor import request_shutdown


@worker_shutting_down.connect
def _stop_recorders(**kwargs: object) -> None:
    request_shutdown(exit_when_stuck=True)
