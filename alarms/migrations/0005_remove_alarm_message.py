"""The stored sentence goes once its figures are in `params` (0004; a separate migration, so that
PostgreSQL alters the table in a transaction of its own, after the rows were updated)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("alarms", "0004_alarm_codes")]

    operations = [migrations.RemoveField(model_name="alarm", name="message")]
