"""The audit log is append-only, hash-chained, and records the acts that exist today."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client

from audit.choices import AuditAction
from audit.models import AppendOnlyError, AuditEntry
from audit.services import record
from tests.support.auth import PASSWORD, log_in_verified
from tests.support.roles import RTSP_PASSWORD

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_entries_are_chained_and_verify_audit_accepts_an_untouched_log(world):
    entries = [record(action=AuditAction.PLAYBACK, user=world.users["operator"], camera=world.pabirze_camera)]
    entries.append(record(action=AuditAction.RETENTION_DELETION, details={"segments": 120, "bytes": 9000}))
    assert entries[1].prev_hash == entries[0].hash and entries[1].seq == entries[0].seq + 1
    assert "is intact" in verify()


def test_the_application_cannot_change_or_delete_an_entry(world):
    entry = record(action=AuditAction.LOGIN, user=world.users["reviewer"])
    entry.target = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(target="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditentry SET target = 'forged'", "DELETE FROM audit_auditentry"], ids=["update", "delete"]
)
def test_postgresql_refuses_update_and_delete_on_the_audit_table(world, sql):
    record(action=AuditAction.LOGIN, user=world.users["reviewer"])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.filter(target="forged").count() == 0


def _bypassing_the_trigger(sql: str, params: list) -> None:
    # What only the database owner could do: switch the trigger off, forge, switch it on.
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_verify_audit_detects_a_forged_entry(world):
    for _ in range(3):
        entry = record(action=AuditAction.CLIP_DOWNLOAD, user=world.users["operator"], camera=world.pabirze_camera)
    _bypassing_the_trigger("UPDATE audit_auditentry SET username = 'someone else' WHERE seq = %s", [entry.seq - 1])
    with pytest.raises(CommandError, match="NOT intact"):
        verify()


def test_verify_audit_detects_a_removed_entry_and_a_cut_off_end(world):
    for _ in range(4):
        record(action=AuditAction.LIVE_VIEW, user=world.users["operator"], camera=world.pabirze_camera)
    head = verify().split("head ")[1].strip()
    _bypassing_the_trigger("DELETE FROM audit_auditentry WHERE seq = (SELECT max(seq) - 2 FROM audit_auditentry)", [])
    with pytest.raises(CommandError, match="NOT intact"):
        verify()
    _bypassing_the_trigger("DELETE FROM audit_auditentry", [])
    record(action=AuditAction.LIVE_VIEW)  # a fresh, self-consistent chain...
    errors = io.StringIO()
    with pytest.raises(CommandError, match="NOT intact"):  # ...is caught by the noted head
        call_command("verify_audit", head=head, stdout=io.StringIO(), stderr=errors)
    assert "no longer in the log" in errors.getvalue()


def test_secret_looking_details_are_masked(world):
    details = {"rtsp_password": {"before": RTSP_PASSWORD, "after": "x"}, "nested": {"token": "y"}, "place": "Turgus"}
    entry = record(action=AuditAction.CONFIG_CHANGED, details=details)
    assert entry.details == {
        "rtsp_password": {"before": "***", "after": "***"},
        "nested": {"token": "***"},
        "place": "Turgus",
    }


def test_login_and_failed_login_are_recorded_with_the_address(world):
    client = Client(REMOTE_ADDR="10.1.2.3")
    client.post("/accounts/login/", {"username": "operatorius", "password": "wrong"})
    client.post("/accounts/login/", {"username": "operatorius", "password": PASSWORD})
    failed = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failed.target == "operatorius" and failed.ip_address == "10.1.2.3" and "wrong" not in str(failed.details)
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert login.user == world.users["operator"] and login.ip_address == "10.1.2.3"


def test_camera_change_in_the_admin_is_recorded_with_before_after_and_masked_password(world):
    admin = world.users["administrator"]
    client = log_in_verified(Client(), admin)
    camera = world.pabirze_camera
    form = {
        "eldership": camera.eldership_id,
        "name": camera.name,
        "place": "Turgaus aikštė",
        "rtsp_url": camera.rtsp_url,
        "rtsp_username": "",
        "rtsp_password": "Naujas-Slaptas-2026",
        "enabled": "on",
        "retention_days": 30,
        "purpose": camera.purpose,
        "legal_basis": camera.legal_basis,
        "status-TOTAL_FORMS": 0,
        "status-INITIAL_FORMS": 0,
        "status-MIN_NUM_FORMS": 0,
        "status-MAX_NUM_FORMS": 0,
    }
    response = client.post(f"/admin/cameras/camera/{camera.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action=AuditAction.CONFIG_CHANGED)
    assert entry.user == admin and entry.camera == camera
    changes = entry.details["changes"]
    assert changes["place"] == {"before": "Bus stop", "after": "Turgaus aikštė"}
    assert changes["rtsp_password"] == {"before": "***", "after": "***"}  # changed, never shown
    assert "rtsp_username" not in changes
    text = str(list(AuditEntry.objects.values()))
    assert RTSP_PASSWORD not in text and "Naujas-Slaptas-2026" not in text


def test_role_changes_are_recorded_with_who_made_them(world):
    from django.contrib.auth.models import Group

    admin = world.users["administrator"]
    client = log_in_verified(Client(), admin)
    police = world.users["police"]
    before = AuditEntry.objects.order_by("-seq").first().seq
    form = {
        "username": police.username,
        "password": police.password,  # the admin's user form carries the hash through unchanged
        "is_active": "on",
        "groups": [Group.objects.get(name="Reviewer").pk],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "10:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "10:00:00",
        "email": police.email,
        # The officer's details inline (disclosures/admin.py): none yet.
        "police_profile-TOTAL_FORMS": "0",
        "police_profile-INITIAL_FORMS": "0",
        "profile-TOTAL_FORMS": "0",  # the preferred language inline (accounts/admin.py), left as it is
        "profile-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/auth/user/{police.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    roles = AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGED, target="user: policininkas", seq__gt=before)
    assert {tuple(e.details.get("added", e.details.get("removed", []))) for e in roles} >= {("Reviewer",), ("Police",)}
    assert all(e.user == admin for e in roles)
    change = AuditEntry.objects.get(action=AuditAction.CONFIG_CHANGED, target__contains="policininkas")
    assert change.details["changes"]["groups"] == {"before": ["Police"], "after": ["Reviewer"]}
    assert change.details["changes"].get("password") is None  # unchanged hash: not even masked noise


def test_audit_page_filters_and_exports_csv_for_reviewers(world):
    record(action=AuditAction.PLAYBACK, user=world.users["operator"], camera=world.pabirze_camera)
    record(action=AuditAction.LIVE_VIEW, user=world.users["operator"], camera=world.vabalninkas_camera)
    record(action=AuditAction.LOGIN, user=world.users["reviewer"])
    client = log_in_verified(Client(), world.users["reviewer"])
    page = client.get("/audit/", {"camera": world.pabirze_camera.pk})
    assert page.status_code == 200
    body = page.content.decode().split("<tbody>")[1]
    assert "Pabiržės centras" in body and "Vabalninko centras" not in body
    export = client.get("/audit/export.csv", {"action": "live_view", "user": world.users["operator"].pk})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [(r["action"], r["camera"], r["user"]) for r in rows] == [("live_view", "Vabalninko centras", "operatorius")]
    assert rows[0]["time_vilnius"].endswith("+02:00")
    assert AuditEntry.objects.filter(action=AuditAction.AUDIT_EXPORT, user=world.users["reviewer"]).exists()


@pytest.mark.parametrize("role", ["police", "operator"])
def test_audit_page_is_refused_to_other_roles(world, role):
    client = log_in_verified(Client(), world.users[role])
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_audit_page_needs_login(world):
    response = Client().get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1"])
def test_csv_export_escapes_cells_a_spreadsheet_would_run_as_formulas(world, name):
    # A failed login writes whatever user name was typed: the attacker's chance to plant a formula.
    Client().post("/accounts/login/", {"username": name, "password": "wrong"})
    record(action=AuditAction.LOGIN_FAILED, target=name, details={"note": name})
    client = log_in_verified(Client(), world.users["reviewer"])
    export = client.get("/audit/export.csv", {"action": "login_failed"})
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode(), newline="")))
    assert "'" + name in [r["object"] for r in rows]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())
