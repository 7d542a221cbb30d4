"""Storage projection: bytes per day and days of capacity per camera, with a warning below the period."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from alarms.models import Alarm
from cameras.models import CameraStatus
from recordings.capture import lease, nodes
from retention.storage import NodeStorage, disk, project_storage, report_node_storage, update_projection_alarms
from tests.factories import CameraFactory, SegmentFactory

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


@pytest.fixture
def two_node_reports(settings, redis_db, tmp_path):
    """Reports of capture nodes node-a and node-b (both registered as live), each made as that node would:
    with its own NODE_NAME and recordings root. `report(name, root)` publishes one."""
    settings.STORAGE_MIN_FREE_BYTES, settings.STORAGE_MIN_FREE_PERCENT = 0, 0
    lease.client.cache_clear()

    def report(name: str, root: Path) -> NodeStorage:
        settings.NODE_NAME, settings.RECORDINGS_ROOT = name, root
        nodes.register(f"capture.{name}", redis_client=redis_db)
        root.mkdir(exist_ok=True)
        return report_node_storage()

    yield report
    lease.client.cache_clear()


def recent_segments(camera, node: str, *, count: int, size: int) -> None:
    start = timezone.now() - timedelta(hours=1)
    for k in range(count):
        SegmentFactory(camera=camera, node=node, bytes=size, start=start + timedelta(seconds=4 * k))


def test_each_node_projects_its_own_storage_and_a_shared_storage_counts_once(two_node_reports, tmp_path):
    on_a, on_b, new = CameraFactory(), CameraFactory(), CameraFactory()
    recent_segments(on_a, "node-a", count=3, size=10**6)
    recent_segments(on_b, "node-b", count=3, size=3 * 10**6)
    free = disk().free  # both roots are on this machine's one filesystem

    a = two_node_reports("node-a", tmp_path / "a")
    b = two_node_reports("node-b", tmp_path / "b")
    assert a.storage_id != b.storage_id  # two recordings roots: two storages
    by_camera = {p.camera_id: p for p in project_storage()}
    # Each camera is projected on the storage of the node that records it, at that node's rate.
    assert by_camera[on_a.pk].bytes_per_day == 3 * 10**6
    assert by_camera[on_a.pk].projected_days == pytest.approx((3 * 10**6 + free) / (3 * 10**6), rel=0.01)
    assert by_camera[on_b.pk].projected_days == pytest.approx((9 * 10**6 + free) / (9 * 10**6), rel=0.01)
    assert by_camera[on_b.pk].stored_bytes == 9 * 10**6
    # A camera with nothing recorded yet gets the worst case of the storages.
    assert by_camera[new.pk].projected_days == by_camera[on_b.pk].projected_days

    # node-b mounts node-a's storage (NFS): one storage, its free space counted once, both cameras on it.
    shared = two_node_reports("node-b", tmp_path / "a")
    assert shared.storage_id == a.storage_id
    by_camera = {p.camera_id: p for p in project_storage()}
    one_storage = (12 * 10**6 + free) / (12 * 10**6)
    assert by_camera[on_a.pk].projected_days == pytest.approx(one_storage, rel=0.01)
    assert by_camera[on_b.pk].projected_days == pytest.approx(one_storage, rel=0.01)


def test_one_nodes_short_storage_keeps_the_alarm_open_and_a_stopped_nodes_cameras_move(
    two_node_reports, tmp_path, redis_db, settings
):
    on_a, on_b = CameraFactory(retention_days=30), CameraFactory(retention_days=30)
    recent_segments(on_a, "node-a", count=1, size=1000)
    recent_segments(on_b, "node-b", count=1, size=1000)
    # node-b records at a rate its storage holds for about 10 days; node-a's is plenty.
    CameraStatus.objects.create(camera=on_b, bitrate_kbps=disk().free / 10 * 8 / 1000 / 86400)
    two_node_reports("node-b", tmp_path / "b")
    two_node_reports("node-a", tmp_path / "a")  # node-a's round sees node-b's report too
    alarm = Alarm.objects.open().get(kind="storage_projection")
    assert alarm.params["cameras"] == 1  # node-b's camera; node-a's storage holds its own
    two_node_reports("node-b", tmp_path / "b")
    assert Alarm.objects.open().get(kind="storage_projection").params["cameras"] == 1

    # node-b stops: its cameras record on node-a now, whose storage must hold them too.
    nodes.unregister("capture.node-b", redis_client=redis_db)
    two_node_reports("node-a", tmp_path / "a")
    assert Alarm.objects.open().get(kind="storage_projection").params["cameras"] == 2


def test_without_reports_or_redis_this_process_projects_its_own_storage(recordings_root, settings, redis_db):
    camera = CameraFactory()
    CameraStatus.objects.create(camera=camera, bitrate_kbps=8.0)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    lease.client.cache_clear()
    try:
        (projection,) = project_storage()
    finally:
        lease.client.cache_clear()
    assert projection.bytes_per_day == 86_400_000
    assert projection.projected_days is not None


def test_a_read_only_root_and_a_report_that_cannot_be_read_still_give_a_projection(
    two_node_reports, tmp_path, redis_db, settings
):
    """The web tier may mount the recordings read-only before any node has named the storage, and a report
    of another release may sit in Redis: neither stops the projection."""
    camera = CameraFactory()
    recent_segments(camera, "node-a", count=1, size=1000)
    CameraStatus.objects.create(camera=camera, bitrate_kbps=8.0)
    root = tmp_path / "read-only"
    root.mkdir()
    settings.RECORDINGS_ROOT = root

    def read_only(*args, **kwargs):
        raise PermissionError(30, "Read-only file system")  # as a read-only mount answers, even to root

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Path, "write_text", read_only)
        (projection,) = project_storage()
    assert projection.projected_days is not None
    assert not (root / ".vms-storage-id").exists()

    two_node_reports("node-a", tmp_path / "a")
    redis_db.hset("vms:storage:projection", "node-x", b"{not json")
    (projection,) = project_storage()
    assert projection.stored_bytes == 1000  # node-a's report counts; the unreadable one does not
