"""Storage projection: bytes per day and days of capacity per camera, with a warning below the period."""

import pytest

from alarms.models import Alarm
from cameras.models import CameraStatus
from retention.storage import disk, update_projection_alarms
from tests.factories import CameraFactory

pytestmark = pytest.mark.django_db


def test_projection_uses_the_current_bitrate_and_warns_below_the_retention_period(recordings_root, settings):
    settings.STORAGE_MIN_FREE_BYTES, settings.STORAGE_MIN_FREE_PERCENT = 0, 0
    camera = CameraFactory(retention_days=30)
    # A bitrate at which the free space of this disk lasts about 10 days.
    per_day = disk().free / 10
    CameraStatus.objects.create(camera=camera, bitrate_kbps=per_day * 8 / 1000 / 86400)

    (projection,) = update_projection_alarms()

    assert projection.bytes_per_day == pytest.approx(per_day, rel=0.01)
    assert projection.projected_days == pytest.approx(10, rel=0.05)
    # The storage is shared: one system-wide alarm, not one per camera (the dashboard shows it once).
    alarm = Alarm.objects.open().get(kind="storage_projection")
    assert alarm.camera is None
    assert alarm.params == {"days": round(projection.projected_days, 1), "retention_days": 30, "cameras": 1}
    assert "less than the 30 days" in alarm.text

    CameraStatus.objects.filter(camera=camera).update(bitrate_kbps=per_day * 8 / 1000 / 86400 / 10)
    (projection,) = update_projection_alarms()
    assert projection.projected_days == pytest.approx(100, rel=0.05)
    assert not Alarm.objects.open().filter(kind="storage_projection").exists()
