"""Put the segment triggers of 0002 back on the segment table that recordings 0007 rebuilt (partitioned by
day): the rebuild drops the old table and its triggers with it. PostgreSQL only, as in 0002: other databases
keep no recorded hours, so they have no triggers.

A later migration that rebuilds the segment table again needs a reports migration like this one after it."""

from django.db import migrations

from reports import triggers


class PostgreSQLOnly(migrations.RunSQL):
    """RunSQL that does nothing on other databases (the SQLite demo)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0003_deletions_seen"),
        ("recordings", "0007_segment_partitioned_by_day"),
    ]

    # Backwards nothing: the triggers go with the partitioned table when recordings 0007 is unapplied next,
    # and the table it rebuilds has none (a migrate back to before 0007 leaves the reports without
    # invalidation until it is migrated forward again).
    operations = [PostgreSQLOnly(sql=[triggers.FUNCTION, triggers.TRIGGERS], reverse_sql=migrations.RunSQL.noop)]
