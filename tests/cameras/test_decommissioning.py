"""A camera taken out of service is decommissioned, not deleted: recording stops, it leaves the
dashboards and the status stream, and its footage and every record of it stay and play until retention
removes them on time. A camera with footage left cannot be deleted; the admin says why."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from accounts.roles import ADMINISTRATOR, REVIEWER
from audit.choices import AuditAction
from audit.models import AuditEntry
from cameras.events import _Sender
from cameras.models import Camera
from cameras.services import decommission_camera
from integrity.models import DailyDigest, DeletionRecord
from integrity.services import seal_day
from recordings.capture import storage
from recordings.capture.supervisor import load_source
from recordings.models import Gap, Segment
from retention import services as retention
from retention.models import DeletedRange, Hold
from tests.factories import CameraFactory
from tests.retention.conftest import integrity_key, segments  # noqa: F401
from tests.support.auth import log_in_verified, make_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def records_of(camera: Camera) -> dict[str, list[int]]:
    return {
        "segments": sorted(Segment.objects.filter(camera=camera).values_list("pk", flat=True)),
        "gaps": sorted(Gap.objects.filter(camera=camera).values_list("pk", flat=True)),
        "digests": sorted(DailyDigest.objects.filter(camera=camera).values_list("pk", flat=True)),
        "deletion records": sorted(DeletionRecord.objects.filter(camera=camera).values_list("pk", flat=True)),
        "deleted ranges": sorted(DeletedRange.objects.filter(camera=camera).values_list("pk", flat=True)),
        "holds": sorted(Hold.objects.filter(cameras=camera).values_list("pk", flat=True)),
    }


@pytest.fixture
def administrator():
    return make_user("administratorius", ADMINISTRATOR)


@pytest.fixture
def recorded(segments, administrator):  # noqa: F811
    """A camera with footage of four ages, a gap, sealed days, a past deletion and a hold."""
    camera = CameraFactory(retention_days=30)
    ancient = segments(camera, NOW - timedelta(days=45), 2)
    held = segments(camera, NOW - timedelta(days=35), 3)
    unheld = segments(camera, NOW - timedelta(days=33), 3)
    young = segments(camera, NOW - timedelta(days=10), 3)
    Gap.objects.create(camera=camera, start=held[-1].end, end=unheld[0].start, cause="camera_unreachable")
    for rows in (held, unheld, young):
        seal_day(camera_id=camera.pk, day=rows[0].start.date())
    hold = retention.create_hold(
        camera_ids=[camera.pk], start=held[0].start, end=held[-1].end, reason="Policija 2026/77", created_by=None
    )
    retention.enforce_retention(now=NOW - timedelta(days=10))  # removes the ancient footage, on record
    assert not Segment.objects.filter(pk__in=[s.pk for s in ancient]).exists()
    return camera, held, unheld, young, hold


def test_decommissioning_keeps_every_record_and_the_footage_plays(recorded, administrator):
    camera, held, unheld, young, hold = recorded
    before = records_of(camera)
    assert all(before.values()), before

    decommission_camera(camera_id=camera.pk, reason="Stulpas nugriautas", user=administrator, now=NOW)

    camera.refresh_from_db()
    assert camera.is_decommissioned and not camera.enabled
    assert records_of(camera) == before
    entry = AuditEntry.objects.get(action=AuditAction.CAMERA_DECOMMISSIONED)
    assert (entry.camera_id, entry.details["reason"]) == (camera.pk, "Stulpas nugriautas")
    assert entry.username == "administratorius"
    # Not recorded any more: neither dispatched nor loaded by a recorder.
    assert camera not in Camera.objects.recordable()
    assert load_source(camera.pk) is None

    reviewer = log_in_verified(Client(), make_user("perziuretojas", REVIEWER))
    playlist = reviewer.get(
        reverse("playback:vod", args=[camera.pk]),
        {"start": held[0].start.isoformat(), "end": held[-1].end.isoformat()},
    )
    assert playlist.status_code == 200, playlist.content
    assert all(f"/{s.pk}.ts" in playlist.content.decode() for s in held)
    fetched = reviewer.get(reverse("playback:segment", args=[held[0].pk]))
    assert fetched.status_code == 200
    assert b"".join(fetched.streaming_content) == storage.absolute(held[0].path).read_bytes()
    assert reviewer.get(reverse("dashboard:playback", args=[camera.pk])).status_code == 200


def test_retention_removes_a_decommissioned_cameras_unheld_footage_on_time(recorded, administrator):
    camera, held, unheld, young, hold = recorded
    decommission_camera(camera_id=camera.pk, reason="Pakeista nauja kamera", user=administrator, now=NOW)

    retention.enforce_retention(now=NOW)

    kept = set(Segment.objects.filter(camera=camera).values_list("pk", flat=True))
    assert kept == {s.pk for s in held + young}
    assert not any(storage.absolute(s.path).exists() for s in unheld)
    assert all(storage.absolute(s.path).exists() for s in held + young)

    retention.enforce_retention(now=NOW + timedelta(days=20, hours=1))  # the young footage is 30 days old
    assert set(Segment.objects.filter(camera=camera).values_list("pk", flat=True)) == {s.pk for s in held}

    retention.release_hold(hold_id=hold.pk, reason="Byla baigta", released_by=administrator)
    retention.enforce_retention(now=NOW + timedelta(days=20, hours=1))
    assert not Segment.objects.filter(camera=camera).exists()
    # What was deleted, and why, stays on record; the records still name the camera.
    assert DeletedRange.objects.filter(camera=camera).count() >= 3
    assert Camera.objects.filter(pk=camera.pk).exists()


def test_a_decommissioned_camera_leaves_the_dashboards_and_the_status_stream(recorded, administrator):
    camera, *_ = recorded
    other = CameraFactory()
    decommission_camera(camera_id=camera.pk, reason="Išmontuota", user=administrator)

    client = log_in_verified(Client(), administrator)
    overview = client.get(reverse("dashboard:overview"))
    assert [s["camera_id"] for s in overview.context["statuses"]] == [other.pk]
    assert client.get(reverse("dashboard:live", args=[camera.pk])).status_code == 404
    assert [s["camera_id"] for s in _Sender._payloads({camera.pk, other.pk})] == [other.pk]


def test_a_decommissioned_camera_cannot_be_enabled_again(recorded, administrator):
    from django.core.exceptions import ValidationError

    camera, *_ = recorded
    decommission_camera(camera_id=camera.pk, reason="Išmontuota", user=administrator)
    camera.refresh_from_db()
    camera.enabled = True
    with pytest.raises(ValidationError, match="decommissioned"):
        camera.full_clean()


def test_a_camera_with_footage_left_cannot_be_deleted_and_the_admin_says_why(recorded, administrator):
    camera, *_ = recorded
    with pytest.raises(ProtectedError):
        Camera.objects.get(pk=camera.pk).delete()

    client = log_in_verified(Client(), administrator)
    url = reverse("admin:cameras_camera_delete", args=[camera.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "still has footage or records of it" in page.content.decode()
    assert "decommission it" in page.content.decode()
    refused = client.post(url, {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 200 and Camera.objects.filter(pk=camera.pk).exists()

    bulk = client.post(
        reverse("admin:cameras_camera_changelist"),
        {"action": "delete_selected", "_selected_action": [camera.pk], "post": "yes"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bulk.status_code == 200 and Camera.objects.filter(pk=camera.pk).exists()


def test_a_camera_that_never_recorded_can_be_deleted_and_it_is_audited(administrator, recordings_root):
    camera = CameraFactory(name="Klaidingai pridėta")
    client = log_in_verified(Client(), administrator)

    response = client.post(reverse("admin:cameras_camera_delete", args=[camera.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Camera.objects.filter(pk=camera.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.CONFIG_DELETED, target__contains="Klaidingai").exists()


def test_the_admin_decommissions_with_a_reason(administrator, recordings_root):
    camera = CameraFactory()
    client = log_in_verified(Client(), administrator)
    changelist = reverse("admin:cameras_camera_changelist")
    chosen = {"action": "decommission", "_selected_action": [camera.pk]}

    asked = client.post(changelist, chosen, HTTP_ACCEPT_LANGUAGE="en")
    assert asked.status_code == 200 and "Reason" in asked.content.decode()
    blank = client.post(changelist, chosen | {"apply": "1", "reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    assert blank.status_code == 200
    camera.refresh_from_db()
    assert not camera.is_decommissioned

    done = client.post(changelist, chosen | {"apply": "1", "reason": "Perkelta į kitą vietą"})
    assert done.status_code == 302
    camera.refresh_from_db()
    assert camera.is_decommissioned and camera.decommission_reason == "Perkelta į kitą vietą"
    assert AuditEntry.objects.filter(action=AuditAction.CAMERA_DECOMMISSIONED, camera_id=camera.pk).exists()
