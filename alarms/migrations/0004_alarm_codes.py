"""Alarm texts become the kind (the code) plus parameters, rendered in the reader's language.

The figures are read back from the English sentences earlier releases stored; a sentence that does not
parse keeps no figures, and the alarm then shows its kind's name. Open per-camera storage projection
alarms end here: the projection is the shared storage's, and the next check raises it once, system-wide.
"""

import re

from django.db import migrations, models
from django.utils import timezone

# Copies of the old sentences (a migration keeps meaning what it meant when it was written).
_NUMBER = r"([0-9]+(?:\.[0-9]+)?)"
PATTERNS = {
    "retention_shortfall": (
        re.compile(rf"^(?P<camera>.+) holds (?P<held_days>{_NUMBER}) days of footage, not its (?P<retention_days>\d+):"),
        {"held_days": float, "retention_days": int},
    ),
    "storage_projection": (
        re.compile(rf"^At the current rates the storage holds (?P<days>{_NUMBER}) days, less than the (?P<retention_days>\d+) days"),
        {"days": float, "retention_days": int},
    ),
    "storage_full": (
        re.compile(r"^Storage is full \((?P<free_mib>\d+) MiB free, watermark (?P<watermark_mib>\d+) MiB\)"),
        {"free_mib": int, "watermark_mib": int},
    ),
    "segment_missing": (
        re.compile(r"^(?P<total>\d+) indexed segment file\(s\) are missing from disk, newly: (?P<names>.*)$", re.S),
        {"total": int},
    ),
    "file_quarantined": (re.compile(r"^(?P<path>\S+) was quarantined \((?P<reason>.*)\)$", re.S), {}),
    "integrity": (re.compile(r"^Segment (?P<path>\S+) no longer matches its SHA-256"), {}),
    "unknown_files": (
        re.compile(r"^(?P<count>\d+) file\(s\) of no known camera were quarantined, from: (?P<folders>.*)$", re.S),
        {"count": int},
    ),
    "stream_clock": (re.compile(r""), {}),
}


def params_of(kind, message):
    pattern, types = PATTERNS.get(kind, (None, {}))
    match = pattern.match(message or "") if pattern else None
    if match is None:
        return {}
    return {k: types.get(k, str)(v) for k, v in match.groupdict().items()}


def to_params(apps, schema_editor):
    Alarm = apps.get_model("alarms", "Alarm")
    for alarm in Alarm.objects.all().only("pk", "kind", "message").iterator():
        Alarm.objects.filter(pk=alarm.pk).update(params=params_of(alarm.kind, alarm.message))
    now = timezone.now()
    Alarm.objects.filter(kind="storage_projection", camera__isnull=False, ended_at__isnull=True).update(
        ended_at=now, updated_at=now
    )


class Migration(migrations.Migration):
    dependencies = [("alarms", "0003_recorder_truth")]

    operations = [
        migrations.AddField(
            model_name="alarm",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="parameters"),
        ),
        migrations.RunPython(to_params, migrations.RunPython.noop),
    ]
