"""A segment row inserted, changed or deleted removes the recorded-hour rows of the hours it touches, so that
reports/coverage.py recomputes them (PostgreSQL; other databases keep no recorded hours)."""

from django.db import migrations

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
CREATE TRIGGER reports_segment_inserted AFTER INSERT ON recordings_segment
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_segment_changed();
CREATE TRIGGER reports_segment_updated AFTER UPDATE ON recordings_segment
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_segment_changed();
CREATE TRIGGER reports_segment_deleted AFTER DELETE ON recordings_segment
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION reports_segment_changed();
"""

DROP = """
DROP TRIGGER IF EXISTS reports_segment_inserted ON recordings_segment;
DROP TRIGGER IF EXISTS reports_segment_updated ON recordings_segment;
DROP TRIGGER IF EXISTS reports_segment_deleted ON recordings_segment;
DROP FUNCTION IF EXISTS reports_segment_changed();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("recordings", "0006_recorder_truth")]

    operations = [migrations.RunPython(create, drop)]
