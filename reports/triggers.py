"""The triggers that keep stored recorded hours true to the segment table (PostgreSQL).

Installed by migration 0002 and again after every `migrate` (reports/apps.py): a migration of the recordings
app that rebuilds the segment table (as partitioning does) drops the old table's triggers with it.
"""

from typing import Any

# Statement-level with transition tables: a retention batch of thousands of rows costs one statement.
# The EXISTS first: an indexer insert into the current hour (never settled, so never stored) takes no
# lock on the recorded hours and so never waits for a report that is filling them.
FUNCTION = """
CREATE OR REPLACE FUNCTION reports_segment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Hour h holds part of [start, end) when h < end and h + 1 hour > start.
    IF TG_OP IN ('INSERT', 'UPDATE') THEN  -- nested: new_rows exists only for these operations
        IF EXISTS (
            SELECT 1 FROM new_rows r JOIN reports_coveragehour c
                ON c.camera_id = r.camera_id AND c.hour > r.start - interval '1 hour' AND c.hour < r."end"
        ) THEN
            DELETE FROM reports_coveragehour c USING new_rows r
                WHERE c.camera_id = r.camera_id AND c.hour > r.start - interval '1 hour' AND c.hour < r."end";
        END IF;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN  -- nested: old_rows exists only for these operations
        IF EXISTS (
            SELECT 1 FROM old_rows r JOIN reports_coveragehour c
                ON c.camera_id = r.camera_id AND c.hour > r.start - interval '1 hour' AND c.hour < r."end"
        ) THEN
            DELETE FROM reports_coveragehour c USING old_rows r
                WHERE c.camera_id = r.camera_id AND c.hour > r.start - interval '1 hour' AND c.hour < r."end";
        END IF;
    END IF;
    RETURN NULL;
END $$;
"""
TRIGGERS = """
DROP TRIGGER IF EXISTS reports_segment_inserted ON recordings_segment;
DROP TRIGGER IF EXISTS reports_segment_updated ON recordings_segment;
DROP TRIGGER IF EXISTS reports_segment_deleted ON recordings_segment;
CREATE TRIGGER reports_segment_inserted AFTER INSERT ON recordings_segment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_segment_changed();
CREATE TRIGGER reports_segment_updated AFTER UPDATE ON recordings_segment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION reports_segment_changed();
CREATE TRIGGER reports_segment_deleted AFTER DELETE ON recordings_segment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_segment_changed();
"""
DROP = """
DROP TRIGGER IF EXISTS reports_segment_inserted ON recordings_segment;
DROP TRIGGER IF EXISTS reports_segment_updated ON recordings_segment;
DROP TRIGGER IF EXISTS reports_segment_deleted ON recordings_segment;
DROP FUNCTION IF EXISTS reports_segment_changed();
"""


def install(connection: Any) -> None:
    """Create or replace the function and the triggers (idempotent); not while either table is missing
    (a migrate back to before them), or every segment insert would fail."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('reports_coveragehour'), to_regclass('recordings_segment')")
        if None in cursor.fetchone():
            return
        cursor.execute(FUNCTION)
        cursor.execute(TRIGGERS)


def uninstall(connection: Any) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(DROP)
