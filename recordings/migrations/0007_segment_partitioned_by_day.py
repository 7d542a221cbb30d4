"""The segment index partitioned by day of `start` on PostgreSQL; SQLite (the demo) stays one table.

The table is rebuilt, not altered (PostgreSQL cannot turn a table into a partitioned one): the new
partitioned table takes the old one's columns, identity, constraints and indexes by name (later
migrations refer to them), a partition for every day that has rows plus the coming days, and a default
partition; the rows are copied and the old table dropped. The primary key becomes (id, start): a unique
index on a partitioned table must contain the partition key. Reversible (the reverse rebuilds one table).
"""

from datetime import UTC, datetime, timedelta

from django.db import migrations, models

TABLE = "recordings_segment"
OLD = "recordings_segment_rebuilt"
DAYS_AHEAD = 3


def _shape(cur: object) -> tuple[list[tuple[str, str, str]], list[str]]:
    cur.execute(
        "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'c', 'f') ORDER BY contype, conname",
        [TABLE],
    )
    constraints = cur.fetchall()
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
        "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
        [TABLE, TABLE],
    )
    return constraints, cur.fetchall()


def _rebuild(cur: object, *, partitioned: bool) -> None:
    constraints, indexes = _shape(cur)
    cur.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
    for name, _kind, _definition in constraints:
        cur.execute(f'ALTER TABLE {OLD} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f'DROP INDEX "{name}"')
    if partitioned:
        cur.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY) PARTITION BY RANGE (start)"
        )
        cur.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cur.execute(f"SELECT DISTINCT (start AT TIME ZONE 'UTC')::date FROM {OLD}")
        today = datetime.now(UTC).date()
        days = {day for (day,) in cur.fetchall()} | {today + timedelta(days=n) for n in range(-1, DAYS_AHEAD + 1)}
        for day in sorted(days):
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            cur.execute(
                f"CREATE TABLE {TABLE}_p{day:%Y%m%d} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
                [start, start + timedelta(days=1)],
            )
    else:
        cur.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY)")
    cur.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
    for name, kind, definition in constraints:
        if kind == "p":
            definition = "PRIMARY KEY (id, start)" if partitioned else "PRIMARY KEY (id)"
        cur.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for _name, definition in indexes:
        cur.execute(definition)
    cur.execute(f"DROP TABLE {OLD}")
    # The new identity sequence was named …_seq1 beside the old one; it takes its name and its place.
    cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
    sequence = cur.fetchone()[0]
    cur.execute(f"ALTER SEQUENCE {sequence} RENAME TO {TABLE}_id_seq")
    cur.execute(f"SELECT setval('{TABLE}_id_seq', coalesce(max(id), 0) + 1, false) FROM {TABLE}")
    cur.execute(f"ANALYZE {TABLE}")


def partition(apps: object, schema_editor: object) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            _rebuild(cur, partitioned=True)


def unpartition(apps: object, schema_editor: object) -> None:
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            _rebuild(cur, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0006_recorder_truth"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="segment", name="segment_unique_node_path"),
        migrations.AddConstraint(
            model_name="segment",
            constraint=models.UniqueConstraint(fields=("node", "path", "start"), name="segment_unique_node_path_start"),
        ),
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
