"""The Celery application: capture, retention and housekeeping run here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "birzai_vms.settings")

app = Celery("birzai_vms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The recorders stop on a worker's warm shutdown through recordings.worker (this module imports no app).
