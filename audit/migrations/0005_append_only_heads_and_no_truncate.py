"""On PostgreSQL: signed heads are append-only like the entries, and TRUNCATE of either table is refused.

A row trigger never sees TRUNCATE, which empties a table without a DELETE; a statement trigger refuses it.
The test suite's flush (a TRUNCATE of every table after a transactional test) disables the TRUNCATE
triggers for its own transaction only: tests/conftest.py, _flush_through_the_audit_triggers."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records are append-only: % refused on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_signedhead_append_only ON audit_signedhead;
CREATE TRIGGER audit_signedhead_append_only BEFORE UPDATE OR DELETE ON audit_signedhead
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_auditentry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
DROP TRIGGER IF EXISTS audit_signedhead_no_truncate ON audit_signedhead;
CREATE TRIGGER audit_signedhead_no_truncate BEFORE TRUNCATE ON audit_signedhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_signedhead_append_only ON audit_signedhead;
DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_auditentry;
DROP TRIGGER IF EXISTS audit_signedhead_no_truncate ON audit_signedhead;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_signedhead")]

    operations = [migrations.RunPython(forwards, backwards)]
