"""The triggers that keep stored recorded hours true to the segment table (PostgreSQL).

Installed by migration 0002, and again by 0004 after recordings 0007 rebuilt the segment table (partitioned):
a rebuild drops the old table's triggers with it, so a later migration that rebuilds the table again needs a
reports migration after it that puts them back.
"""

from typing import Any

# Statement-level with transition tables: a retention batch of thousands of rows costs one statement.
# The changed rows are first reduced to the (camera, hour) pairs of their start and end (a segment is at
# most 5 minutes, recordings.querysets.LONGEST_SEGMENT, so it touches no hour in between), then matched by
# equality on the unique (camera, hour) index: 5,000 deleted rows cost ~20 ms (a range join cost 1.4 s).
# The EXISTS first: an indexer insert into the current hour (never settled, so never stored) takes no
# lock on the recorded hours and so never waits for a report that is filling them.
# The (camera, hour) pairs of the start and the end of the rows in a transition table.
_TOUCHED = """
    SELECT camera_id, date_trunc('hour', start AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS hour FROM {rows}
    UNION
    SELECT camera_id, date_trunc('hour', ("end" - interval '1 microsecond') AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
    FROM {rows}
"""
_FORGET = """
        IF EXISTS (SELECT 1 FROM reports_coveragehour c JOIN ({touched}) t USING (camera_id, hour)) THEN
            DELETE FROM reports_coveragehour c USING ({touched}) t
                WHERE c.camera_id = t.camera_id AND c.hour = t.hour;
        END IF;
"""
FUNCTION = f"""
CREATE OR REPLACE FUNCTION reports_segment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN  -- nested: new_rows exists only for these operations
        {_FORGET.format(touched=_TOUCHED.format(rows="new_rows"))}
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN  -- nested: old_rows exists only for these operations
        {_FORGET.format(touched=_TOUCHED.format(rows="old_rows"))}
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
