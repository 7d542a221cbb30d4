"""A segment row inserted, changed or deleted removes the recorded-hour rows of the hours it touches, so that
reports/coverage.py recomputes them (PostgreSQL; other databases keep no recorded hours). The SQL lives in
reports/triggers.py; 0004 puts it back on the table that recordings 0007 rebuilds."""

from django.db import migrations

from reports import triggers


def create(apps, schema_editor):
    triggers.install(schema_editor.connection)


def drop(apps, schema_editor):
    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial"), ("recordings", "0006_recorder_truth")]

    operations = [migrations.RunPython(create, drop)]
