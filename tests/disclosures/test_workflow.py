"""The request workflow through the API: submission holds the footage and tells the reviewers, a reviewer
approves part or rejects with a reason, approval starts the evidence export, the requester is told, a
withdrawn or rejected request's hold is released, downloads are the requester's alone and recorded."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AuditEntry
from disclosures import services
from disclosures.models import DisclosureRequest
from exports.models import Export
from retention.models import Hold
from retention.services import create_hold
from tests.support.auth import log_in_verified

from .conftest import api_of, local_text
from .support import approve_part, make_ready, submit

pytestmark = pytest.mark.django_db


def events(request: DisclosureRequest) -> list[str]:
    return list(request.custody.values_list("event", flat=True))


def test_submission_holds_the_footage_at_once_and_emails_the_reviewers(
    world, police_api, mailbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = submit(world, police_api)
    assert request.state == "waiting" and request.requester == world.users["police"]
    hold = request.hold
    assert hold.is_active and (hold.start, hold.end) == (request.start, request.end)
    assert set(hold.cameras.all()) == {world.gate, world.square}
    assert events(request) == ["requested", "held"]
    assert request.custody.first().ip == "127.0.0.1"
    assert AuditEntry.objects.filter(action=AuditAction.REQUEST_SUBMITTED, target=f"request {request.pk}").exists()
    message = mailbox.wait_for(lambda m: "perziuretojas@example.org" in str(m["To"]), what="the reviewer's email")
    text = mailbox.body(message)
    assert f"/requests/{request.pk}/" in text and "01-1-04567-26" in text
    assert not mailbox.to("tyrejas@example.org")


def test_the_reviewer_approves_part_and_the_evidence_export_starts(
    world, police_api, reviewer_api, mailbox, django_capture_on_commit_callbacks
):
    request = submit(world, police_api)
    with django_capture_on_commit_callbacks(execute=True):
        response = approve_part(world, reviewer_api, request)
    assert response.status_code == 200, response.json()
    request.refresh_from_db()
    assert request.state == "partly_approved" and request.reviewed_by == world.users["reviewer"]
    assert list(request.approved_cameras.all()) == [world.gate]
    export = request.export
    assert export.kind == Export.Kind.EVIDENCE and export.created_by == world.users["reviewer"]
    assert set(export.viewers.all()) == {world.users["police"], world.users["reviewer"]}
    items = list(export.items.values_list("camera_id", "requested_start", "requested_end"))
    assert items == [(world.gate.pk, world.t0 + timedelta(minutes=2), world.t0 + timedelta(minutes=4))]
    evidence = export.evidence
    assert evidence["request"]["case_number"] == "01-1-04567-26"
    assert evidence["request"]["requester"]["organisation"] == "Panevėžio apskrities VPK"
    assert evidence["request"]["requester"]["service_number"].startswith("PK-")
    # Only the approved part stays held (tests/disclosures/test_retention.py runs retention over it).
    chain = ["requested", "held", "reviewed", "held", "hold_released"]
    assert [e["event"] for e in evidence["custody"]] == chain
    assert events(request) == chain
    message = mailbox.wait_for(lambda m: "tyrejas@example.org" in str(m["To"]), what="the requester's email")
    assert f"/requests/{request.pk}/" in mailbox.body(message)
    # The hold of the approved part stays until the package has been downloaded and kept for its time.
    assert request.hold.is_active and list(request.hold.cameras.all()) == [world.gate]


def test_approving_all_approves_every_camera_and_the_whole_range(world, police_api, reviewer_api):
    request = submit(world, police_api)
    response = reviewer_api.post(
        f"/api/requests/{request.pk}/review/", {"decision": "approve", "reason": "Pagrįsta"}, format="json"
    )
    assert response.status_code == 200 and response.json()["state"] == "approved"
    request.refresh_from_db()
    items = set(request.export.items.values_list("camera_id", "requested_start", "requested_end"))
    assert items == {(c.pk, request.start, request.end) for c in (world.gate, world.square)}


@pytest.mark.parametrize(
    ("review", "message"),
    [
        ({"decision": "approve", "reason": "  "}, "This field may not be blank."),
        ({"decision": "reject"}, "This field is required."),
        ({"decision": "approve_part", "reason": "x", "cameras": [0]}, "greater than or equal to 1"),
        ({"decision": "approve_part", "reason": "x", "cameras": ["market"]}, "valid integer"),
        ({"decision": "maybe", "reason": "x"}, "is not a valid choice"),
        ({"decision": "approve_part", "reason": "x", "start": "2026-03-29T03:30"}, "does not exist in Vilnius"),
    ],
)
def test_a_bad_decision_is_refused_clearly(world, police_api, reviewer_api, review, message):
    request = submit(world, police_api)
    response = reviewer_api.post(f"/api/requests/{request.pk}/review/", review, format="json")
    assert response.status_code == 400 and message in str(response.json()), response.json()
    request.refresh_from_db()
    assert request.state == "waiting" and request.export is None


def test_part_approval_stays_within_the_request(world, police_api, reviewer_api):
    request = submit(world, police_api)
    url = f"/api/requests/{request.pk}/review/"
    outside = {"decision": "approve_part", "reason": "x", "end": local_text(world.t0 + timedelta(minutes=8))}
    assert "within the requested range" in str(reviewer_api.post(url, outside, format="json").json())
    other = {"decision": "approve_part", "reason": "x", "cameras": [world.market.pk]}
    assert "Only cameras of the request" in str(reviewer_api.post(url, other, format="json").json())
    assert DisclosureRequest.objects.get(pk=request.pk).state == "waiting"


def test_police_cannot_review_and_a_decided_request_is_not_decided_again(world, police_api, reviewer_api):
    request = submit(world, police_api)
    url = f"/api/requests/{request.pk}/review/"
    assert police_api.post(url, {"decision": "approve", "reason": "x"}, format="json").status_code == 403
    assert (
        reviewer_api.post(url, {"decision": "reject", "reason": "Nepakanka pagrindo"}, format="json").status_code == 200
    )
    again = reviewer_api.post(url, {"decision": "approve", "reason": "x"}, format="json")
    assert again.status_code == 400 and "already decided" in str(again.json())


def test_rejection_releases_the_hold_with_a_record_and_tells_the_requester(
    world, police_api, reviewer_api, mailbox, django_capture_on_commit_callbacks
):
    request = submit(world, police_api)
    with django_capture_on_commit_callbacks(execute=True):
        response = reviewer_api.post(
            f"/api/requests/{request.pk}/review/", {"decision": "reject", "reason": "Nepakanka pagrindo"}, format="json"
        )
    assert response.status_code == 200 and response.json()["state"] == "rejected"
    hold = Hold.objects.get(pk=request.hold_id)
    assert not hold.is_active and hold.released_by == world.users["reviewer"]
    assert events(request) == ["requested", "held", "reviewed", "hold_released"]
    assert AuditEntry.objects.filter(action=AuditAction.HOLD_RELEASED, target=f"hold {hold.pk}").exists()
    message = mailbox.wait_for(lambda m: "tyrejas@example.org" in str(m["To"]), what="the requester's email")
    assert "Nepakanka pagrindo" in mailbox.body(message)


def test_a_release_says_when_another_hold_still_covers_the_footage(world, police_api, reviewer_api):
    request = submit(world, police_api)
    other = create_hold(camera_ids=[world.gate.pk], start=world.t0, end=world.t0 + timedelta(hours=1), reason="Kitas")
    reviewer_api.post(f"/api/requests/{request.pk}/review/", {"decision": "reject", "reason": "Ne"}, format="json")
    released = request.custody.get(event="hold_released")
    assert f"#{other.pk}" in released.detail
    assert Hold.objects.get(pk=other.pk).is_active


def test_the_requester_withdraws_a_waiting_request_and_its_hold_is_released(world, police_api):
    request = submit(world, police_api)
    other = api_of(world.users["other_police"])
    assert other.post(f"/api/requests/{request.pk}/withdraw/", {"reason": "x"}, format="json").status_code == 404
    response = police_api.post(f"/api/requests/{request.pk}/withdraw/", {"reason": "Sulaikytas"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert not Hold.objects.get(pk=request.hold_id).is_active
    assert events(request) == ["requested", "held", "withdrawn", "hold_released"]


def test_another_users_request_and_download_are_not_found(world, police_api, reviewer_api):
    request = submit(world, police_api)
    approve_part(world, reviewer_api, request)
    request.refresh_from_db()
    make_ready(request)
    other = api_of(world.users["other_police"])
    web = log_in_verified(Client(), world.users["other_police"])
    for response in (
        other.get(f"/api/requests/{request.pk}/"),
        other.get(f"/api/requests/{request.pk}/download/"),
        web.get(f"/requests/{request.pk}/"),
        web.get(f"/requests/{request.pk}/download/"),
        # Not even the reviewer downloads: the link is the requester's.
        reviewer_api.get(f"/api/requests/{request.pk}/download/"),
        log_in_verified(Client(), world.users["reviewer"]).get(f"/requests/{request.pk}/download/"),
    ):
        assert response.status_code == 404
        assert "01-1-04567-26" not in response.content.decode(errors="replace")
    assert other.get("/api/requests/").json()["results"] == []
    # A request that does not exist answers the same.
    assert other.get("/api/requests/999999/").status_code == 404
    assert not request.custody.filter(event="downloaded").exists()


def test_the_requester_downloads_and_each_download_is_recorded(world, police_api, reviewer_api, settings):
    request = submit(world, police_api)
    approve_part(world, reviewer_api, request)
    request.refresh_from_db()
    export = make_ready(request)
    assert request.download_expires_at - timezone.now() > timedelta(days=settings.DISCLOSURE_DOWNLOAD_DAYS - 1)
    detail = police_api.get(f"/api/requests/{request.pk}/").json()
    assert detail["download_url"] == f"/api/requests/{request.pk}/download/"
    web = log_in_verified(Client(), world.users["police"])
    first = web.get(f"/requests/{request.pk}/download/")
    assert first.status_code == 200 and first["Content-Disposition"].startswith("attachment")
    assert b"".join(first.streaming_content).startswith(b"PK")
    assert police_api.get(detail["download_url"]).status_code == 200
    request.refresh_from_db()
    downloads = request.custody.filter(event="downloaded")
    assert downloads.count() == 2 and {d.ip for d in downloads} == {"127.0.0.1"}
    assert {d.user for d in downloads} == {world.users["police"]}
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT_DOWNLOAD, target=f"export {export.pk}").count() == 2
    keep = timedelta(days=settings.DISCLOSURE_HOLD_AFTER_DOWNLOAD_DAYS)
    assert request.hold_kept_until == request.first_downloaded_at + keep
    assert events(request)[:7] == ["requested", "held", "reviewed", "held", "hold_released", "exported", "downloaded"]


def test_an_expired_link_says_so_plainly(world, police_api, reviewer_api):
    request = submit(world, police_api)
    approve_part(world, reviewer_api, request)
    request.refresh_from_db()
    make_ready(request)
    DisclosureRequest.objects.filter(pk=request.pk).update(download_expires_at=timezone.now() - timedelta(minutes=1))
    web = log_in_verified(Client(HTTP_ACCEPT_LANGUAGE="en"), world.users["police"])
    page = web.get(f"/requests/{request.pk}/download/")
    assert page.status_code == 410 and "This download link expired on" in page.content.decode()
    api = police_api.get(f"/api/requests/{request.pk}/download/")
    assert api.status_code == 410 and "expired" in api.json()["detail"]
    assert police_api.get(f"/api/requests/{request.pk}/").json()["download_url"] is None
    assert not DisclosureRequest.objects.get(pk=request.pk).custody.filter(event="downloaded").exists()


def test_the_hold_is_released_a_set_time_after_the_first_download_unless_extended(
    world, police_api, reviewer_api, settings
):
    settings.DISCLOSURE_HOLD_AFTER_DOWNLOAD_DAYS = 30
    kept, extended = submit(world, police_api), submit(world, police_api, cameras=[world.square.pk])
    approve_part(world, reviewer_api, kept)
    reviewer_api.post(f"/api/requests/{extended.pk}/review/", {"decision": "approve", "reason": "Gerai"}, format="json")
    for request in (kept, extended):
        request.refresh_from_db()
        make_ready(request)
        services.record_download(request_id=request.pk, user=world.users["police"], ip="10.0.0.7")
    now = timezone.now()
    assert services.release_due_holds(now=now + timedelta(days=29)) == 0
    services.extend_hold(
        request_id=extended.pk, reviewer=world.users["reviewer"], until=now + timedelta(days=90), reason="Teismas"
    )
    assert services.release_due_holds(now=now + timedelta(days=31)) == 1
    assert not Hold.objects.get(pk=kept.hold_id).is_active and Hold.objects.get(pk=extended.hold_id).is_active
    assert kept.custody.filter(event="hold_released").exists()
    assert extended.custody.filter(event="hold_extended", user=world.users["reviewer"]).exists()
    assert services.release_due_holds(now=now + timedelta(days=31)) == 0  # safe to run twice
    assert services.release_due_holds(now=now + timedelta(days=91)) == 1
    assert not Hold.objects.get(pk=extended.hold_id).is_active


def test_the_beat_task_releases_due_holds(world, police_api, reviewer_api):
    from disclosures.tasks import release_due_holds

    request = submit(world, police_api)
    approve_part(world, reviewer_api, request)
    request.refresh_from_db()
    make_ready(request)
    services.record_download(request_id=request.pk, user=world.users["police"], ip=None)
    DisclosureRequest.objects.filter(pk=request.pk).update(hold_kept_until=timezone.now() - timedelta(seconds=1))
    assert release_due_holds.apply().get() == 1
    assert not Hold.objects.get(pk=request.hold_id).is_active


def test_a_part_approval_says_when_another_hold_still_covers_the_unapproved_footage(world, police_api, reviewer_api):
    request = submit(world, police_api)
    other = create_hold(camera_ids=[world.square.pk], start=world.t0, end=world.t0 + timedelta(hours=1), reason="Kitas")
    assert approve_part(world, reviewer_api, request).status_code == 200
    released = request.custody.get(event="hold_released")
    assert f"#{other.pk}" in released.detail and Hold.objects.get(pk=other.pk).is_active
