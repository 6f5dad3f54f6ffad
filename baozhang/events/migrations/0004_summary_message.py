"""An event's summary as a message of the catalogue and its parameters (events/text.py).

SQLite adds a column with a default by rebuilding the table, which takes the append-only
trigger of 0002 with it: it is put back here (PostgreSQL keeps its trigger)."""

import importlib

import django.core.serializers.json
from django.db import migrations, models

_append_only = importlib.import_module("baozhang.events.migrations.0002_append_only_triggers")


def trigger_back(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    with schema_editor.connection.cursor() as cursor:
        for sql in _append_only.SQLITE_DOWN + _append_only.SQLITE_UP:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_alter_event_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="summary_id",
            field=models.CharField(blank=True, max_length=300, verbose_name="summary message"),
        ),
        migrations.AddField(
            model_name="event",
            name="summary_params",
            field=models.JSONField(
                blank=True,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                null=True,
                verbose_name="summary parameters",
            ),
        ),
        migrations.RunPython(trigger_back, migrations.RunPython.noop),
    ]
