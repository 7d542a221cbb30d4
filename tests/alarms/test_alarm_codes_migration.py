"""The data migration turns stored alarm sentences into figures and ends per-camera projection alarms."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def test_old_rows_get_their_figures_and_the_per_camera_projection_alarm_ends():
    camera = CameraFactory(name="Turgus")
    apps = migrate(("alarms", "0003_recorder_truth"))
    Alarm = apps.get_model("alarms", "Alarm")
    now = timezone.now()
    common = {"severity": "warning", "started_at": now, "updated_at": now}
    Alarm.objects.create(
        kind="storage_projection",
        camera_id=camera.pk,
        message="At the current rates the storage holds 2.5 days, less than the 30 days Turgus must keep.",
        **common,
    )
    Alarm.objects.create(
        kind="storage_full",
        camera=None,
        message="Storage is full (5 MiB free, watermark 100 MiB) and only held footage is left: nothing more can be "
        "deleted. Add storage or release holds.",
        **common,
    )
    try:
        apps = migrate(("alarms", "0004_alarm_codes"))
        Alarm = apps.get_model("alarms", "Alarm")
        projection = Alarm.objects.get(kind="storage_projection")
        assert projection.params == {"days": 2.5, "retention_days": 30}
        assert projection.ended_at is not None  # raised again, once, system-wide, by the next check
        full = Alarm.objects.get(kind="storage_full")
        assert (full.params, full.ended_at) == ({"free_mib": 5, "watermark_mib": 100}, None)
    finally:
        migrate(("alarms", "0005_remove_alarm_message"))
        Alarm.objects.all().delete()
