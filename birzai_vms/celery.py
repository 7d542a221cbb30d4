"""The Celery application: capture, retention and housekeeping run here."""

import os

from celery import Celery
from celery.signals import beat_init, worker_ready, worker_shutdown

from birzai_vms.heartbeats import forget_worker, start_beat_heartbeat, start_worker_heartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "birzai_vms.settings")

app = Celery("birzai_vms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The recorders stop on a worker's warm shutdown through recordings.worker (this module imports no app).


@worker_ready.connect
def _worker_heartbeat(sender: object, **kwargs: object) -> None:
    # sender is the worker's consumer; consume_from names the queues given with -Q.
    queues = sender.app.amqp.queues
    start_worker_heartbeat(sender.hostname, list(queues.consume_from or queues))


@worker_shutdown.connect
def _worker_gone(sender: object, **kwargs: object) -> None:
    forget_worker(sender.hostname)


@beat_init.connect
def _beat_heartbeat(sender: object, **kwargs: object) -> None:
    start_beat_heartbeat()
