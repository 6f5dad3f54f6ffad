"""The database itself refuses to change an event row (Q1), whatever code tries.

PostgreSQL: a trigger refuses UPDATE and DELETE. SQLite: a trigger refuses UPDATE.
(SQLite's DELETE is left to the application layer, because Django's test flush on SQLite
empties tables with DELETE; on PostgreSQL it uses TRUNCATE, which row triggers ignore.)
"""

from django.db import migrations

PG_UP = [
    """CREATE OR REPLACE FUNCTION baozhang_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only / 事件记录只能追加';
END;
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER events_event_append_only
    BEFORE UPDATE OR DELETE ON events_event
    FOR EACH ROW EXECUTE FUNCTION baozhang_events_append_only()""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS events_event_append_only ON events_event",
    "DROP FUNCTION IF EXISTS baozhang_events_append_only()",
]
SQLITE_UP = [
    """CREATE TRIGGER events_event_append_only BEFORE UPDATE ON events_event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END""",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS events_event_append_only"]

STATEMENTS = {"postgresql": (PG_UP, PG_DOWN), "sqlite": (SQLITE_UP, SQLITE_DOWN)}


def _run(schema_editor, index):
    statements = STATEMENTS.get(schema_editor.connection.vendor, ([], []))[index]
    with schema_editor.connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def forwards(apps, schema_editor):
    _run(schema_editor, 0)


def backwards(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("events", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
