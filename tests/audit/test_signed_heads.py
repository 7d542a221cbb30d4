"""Signed heads: verify_audit sees a rewritten-and-rechained log and a cut-off end without being given a
head; TRUNCATE of the audit tables is refused; heads are signed by beat and by every verification."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from audit.choices import AuditAction
from audit.models import AppendOnlyError, AuditEntry, SignedHead
from audit.services import record, sign_head, unsigned_tail_warning, verify_chain
from audit.tasks import sign_audit_head

pytestmark = pytest.mark.django_db


def verify() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except CommandError as exc:
        return f"FAILED: {exc}", err.getvalue()
    return out.getvalue(), err.getvalue()


def as_the_database_owner(*statements: tuple[str, list]) -> None:
    """What an intruder with the owner's database access does: triggers off, SQL, triggers on."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        for sql, params in statements:
            cursor.execute(sql, params)
        cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER USER")


def some_entries(world, count: int) -> list[AuditEntry]:
    return [
        record(action=AuditAction.PLAYBACK, user=world.users["operator"], camera=world.pabirze_camera)
        for _ in range(count)
    ]


def test_verify_audit_signs_the_head_of_an_intact_log(world):
    entries = some_entries(world, 3)
    out, _ = verify()
    assert (
        f"intact: {entries[-1].seq} entries; head {entries[-1].seq}:{entries[-1].hash}" in out
        and f"Head {entries[-1].seq} signed" in out
    )
    head = SignedHead.objects.get()
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    verify()
    assert SignedHead.objects.count() == 1  # an unchanged head is signed once


def test_an_entry_rewritten_with_every_later_hash_recomputed_is_detected_without_a_given_head(world):
    entries = some_entries(world, 5)
    assert "is intact" in verify()[0]  # signs the head at the last entry
    # Entry 2 now says someone else watched; every hash after it is recomputed, as an intruder would.
    victim = entries[1].seq
    rewritten = list(AuditEntry.objects.filter(seq__gte=victim).order_by("seq"))
    prev_hash = AuditEntry.objects.get(seq=victim - 1).hash
    statements = []
    for entry in rewritten:
        if entry.seq == victim:
            entry.username = "someone else"
        entry.prev_hash = prev_hash
        entry.hash = entry.compute_hash()
        prev_hash = entry.hash
        statements.append(
            (
                "UPDATE audit_auditentry SET username = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                [entry.username, entry.prev_hash, entry.hash, entry.seq],
            )
        )
    as_the_database_owner(*statements)
    count, problems = verify_chain()
    assert len(problems) == 1 and "rewritten" in problems[0], problems  # the chain itself is consistent
    result, errors = verify()
    assert "NOT intact" in result and f"entry {rewritten[-1].seq} is not the one signed" in errors
    assert SignedHead.objects.count() == 1  # a tampered log is never signed


def test_entries_cut_off_at_the_end_are_detected_without_a_given_head(world):
    entries = some_entries(world, 4)
    verify()
    as_the_database_owner(("DELETE FROM audit_auditentry WHERE seq > %s", [entries[1].seq]))
    result, errors = verify()
    assert "NOT intact" in result
    assert f"entry {entries[-1].seq}" in errors and "removed at the end" in errors
    # Everything gone and a fresh, self-consistent chain started: the signed head still tells.
    as_the_database_owner(("DELETE FROM audit_auditentry", []))
    record(action=AuditAction.LOGIN)
    result, errors = verify()
    assert "NOT intact" in result and "no longer in the log" in errors


def test_a_forged_signed_head_is_detected(world):
    entries = some_entries(world, 2)
    SignedHead(seq=entries[-1].seq, hash=entries[-1].hash, key_id="0" * 16, signature="ab" * 64).save()
    result, errors = verify()
    assert "NOT intact" in result and "no valid signature" in errors


@pytest.mark.parametrize("table", ["audit_auditentry", "audit_signedhead"])
def test_postgresql_refuses_truncate_of_the_audit_tables(world, table):
    some_entries(world, 2)
    sign_head()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table}")
    assert AuditEntry.objects.count() >= 2 and SignedHead.objects.count() == 1


@pytest.mark.parametrize("sql", ["UPDATE audit_signedhead SET seq = 1", "DELETE FROM audit_signedhead"])
def test_signed_heads_are_append_only(world, sql):
    some_entries(world, 2)
    head = sign_head()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    with pytest.raises(AppendOnlyError):
        head.delete()
    with pytest.raises(AppendOnlyError):
        SignedHead.objects.all().delete()


def test_beat_signs_the_head_at_intervals():
    assert settings.CELERY_BEAT_SCHEDULE["sign-audit-head"]["task"] == "audit.tasks.sign_audit_head"
    assert sign_audit_head() is None  # an empty log has no head
    entries = [record(action=AuditAction.LOGIN) for _ in range(2)]
    assert sign_audit_head() == entries[-1].seq
    assert sign_audit_head() == entries[-1].seq and SignedHead.objects.count() == 1


def test_a_stale_last_signed_head_is_warned_about(world):
    some_entries(world, 1)
    sign_head()
    some_entries(world, 1)
    later = timezone.now() + 3 * timedelta(seconds=settings.AUDIT_HEAD_SIGN_INTERVAL_SECONDS)
    assert "never signed" in unsigned_tail_warning(now=later)
    assert unsigned_tail_warning() == ""


@pytest.mark.django_db(transaction=True)
def test_the_test_suites_flush_still_empties_the_audit_tables_and_leaves_the_triggers_on():
    # The flush after each transactional test TRUNCATEs every table (tests/conftest.py lets it through
    # the audit triggers inside its own transaction): whatever an earlier one wrote is gone.
    assert not AuditEntry.objects.exists() and not SignedHead.objects.exists()
    record(action=AuditAction.LOGIN)
    sign_head()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgname IN ('audit_entry_no_truncate', "
            "'audit_signedhead_no_truncate', 'audit_entry_append_only', 'audit_signedhead_append_only')"
        )
        assert dict(cursor.fetchall()) == dict.fromkeys(
            [
                "audit_entry_no_truncate",
                "audit_signedhead_no_truncate",
                "audit_entry_append_only",
                "audit_signedhead_append_only",
            ],
            "O",
        )
