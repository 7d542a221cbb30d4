"""The Celery application: capture, retention and housekeeping run here."""

import os

from celery import Celery
from celery.signals import worker_shutting_down

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "birzai_vms.settings")

app = Celery("birzai_vms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_shutting_down.connect
def _stop_recorders(**kwargs: object) -> None:
    # Long-running capture tasks would otherwise hold a warm shutdown forever.
    from recordings.capture.supervisor import request_shutdown

    request_shutdown(exit_when_stuck=True)
