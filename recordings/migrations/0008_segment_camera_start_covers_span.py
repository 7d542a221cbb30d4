"""On PostgreSQL the unique (camera, start) index also carries each segment's end and size (INCLUDE), so
a camera's timeline and a whole-day sweep read their rows from the index alone (index-only scans) and
never visit the table's pages, where one camera's rows are scattered among every other camera's
(docs/partitioning.md). SQLite (the demo) cannot add columns to a unique index and keeps it as it was;
Django's model state is the same on both. On a large index this builds the index again on every
partition (minutes, with the table locked): plan it for a quiet hour."""

from django.db import migrations

TABLE = "recordings_segment"
NAME = "segment_unique_camera_start"


def _replace(schema_editor: object, definition: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cur:
        cur.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT {NAME}")
        cur.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} {definition}")


def cover(apps: object, schema_editor: object) -> None:
    _replace(schema_editor, 'UNIQUE (camera_id, start) INCLUDE ("end", bytes)')


def uncover(apps: object, schema_editor: object) -> None:
    _replace(schema_editor, "UNIQUE (camera_id, start)")


class Migration(migrations.Migration):
    dependencies = [
        ("recordings", "0007_segment_partitioned_by_day"),
    ]

    operations = [
        migrations.RunPython(cover, uncover, elidable=False),
    ]
