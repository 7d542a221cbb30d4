"""Each capture node measures its own disk: the one "storage full" alarm names the nodes that are full,
with the figures of the fullest, and ends when the last of them has room again."""

import pytest
from django.utils import translation

from alarms.models import Alarm
from retention.storage import Disk, report_storage_full

pytestmark = pytest.mark.django_db
MiB = 2**20


@pytest.fixture(autouse=True)
def watermark(settings):
    settings.STORAGE_MIN_FREE_BYTES = 100 * MiB
    settings.STORAGE_MIN_FREE_PERCENT = 0


def open_alarm() -> Alarm | None:
    return Alarm.objects.open().filter(kind="storage_full").first()


def test_the_alarm_names_each_full_node_and_ends_with_the_last():
    report_storage_full("node-b", Disk(free=20 * MiB, total=1000 * MiB))
    alarm = open_alarm()
    assert (alarm.params["node"], alarm.params["free_mib"], alarm.severity) == ("node-b", 20, "critical")
    with translation.override("en"):
        assert alarm.text.startswith("The storage of capture node node-b is full (20 MiB free, watermark 100 MiB)")

    report_storage_full("node-a", Disk(free=5 * MiB, total=1000 * MiB))
    report_storage_full("node-b", Disk(free=20 * MiB, total=1000 * MiB))  # the next round changes nothing
    alarm = open_alarm()
    assert (alarm.params["node"], alarm.params["free_mib"]) == ("node-a, node-b", 5)

    report_storage_full("node-a", None)  # node-a has room again; node-b is still full
    assert open_alarm().params["node"] == "node-b"
    report_storage_full("node-c", None)  # a node that never was full changes nothing
    assert open_alarm().pk == alarm.pk
    report_storage_full("node-b", None)
    assert open_alarm() is None
    assert Alarm.objects.filter(kind="storage_full").count() == 1


def test_an_alarm_of_the_release_before_reads_as_it_did_and_is_taken_over():
    from alarms.services import raise_alarm

    figures = {"free_mib": 5, "watermark_mib": 9}
    old = raise_alarm(kind="storage_full", camera_id=None, severity="critical", params=figures)
    with translation.override("en"):
        assert old.text.startswith("Storage is full (5 MiB free, watermark 9 MiB)")
    report_storage_full("node-a", None)
    assert open_alarm() is None
