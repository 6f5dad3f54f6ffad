"""The database itself refuses to change a frozen report or its approval (Q1), whatever
code tries, as it does for events (events/migrations/0002_append_only_triggers.py).

PostgreSQL: a trigger refuses UPDATE and DELETE. SQLite: a trigger refuses UPDATE (its
DELETE is left to the application layer, because Django's test flush and the platform
backup's restore empty SQLite tables with DELETE; on PostgreSQL they use TRUNCATE, which
row triggers ignore).
"""

from django.db import migrations

TABLES = ("quality_frozenreport", "quality_frozenreportapproval")

PG_UP = [
    """CREATE OR REPLACE FUNCTION baozhang_quality_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a frozen report cannot be changed / 已冻结的报表不能修改';
END;
$$ LANGUAGE plpgsql""",
    *(
        f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t}
    FOR EACH ROW EXECUTE FUNCTION baozhang_quality_frozen()"""
        for t in TABLES
    ),
]
PG_DOWN = [
    *(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}" for t in TABLES),
    "DROP FUNCTION IF EXISTS baozhang_quality_frozen()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER {t}_append_only BEFORE UPDATE ON {t}
BEGIN
    SELECT RAISE(ABORT, 'a frozen report cannot be changed');
END"""
    for t in TABLES
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {t}_append_only" for t in TABLES]

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
    dependencies = [("quality", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
