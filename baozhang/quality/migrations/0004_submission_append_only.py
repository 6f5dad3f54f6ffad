"""The database refuses to change or delete a record of a submission to the authority, as
it does for frozen reports (0002): PostgreSQL refuses UPDATE and DELETE, SQLite UPDATE (its
DELETE is left to the application layer: Django's test flush and the platform backup's
restore empty SQLite tables with DELETE; on PostgreSQL they use TRUNCATE, which row
triggers ignore)."""

from django.db import migrations

TABLE = "quality_submission"

PG_UP = [
    """CREATE OR REPLACE FUNCTION baozhang_quality_submission() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a submission record cannot be changed / 报送记录不能修改';
END;
$$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION baozhang_quality_submission()""",
]
PG_DOWN = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    "DROP FUNCTION IF EXISTS baozhang_quality_submission()",
]
SQLITE_UP = [
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, 'a submission record cannot be changed');
END"""
]
SQLITE_DOWN = [f"DROP TRIGGER IF EXISTS {TABLE}_append_only"]

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
    dependencies = [("quality", "0003_drafts_and_submissions")]
    operations = [migrations.RunPython(forwards, backwards)]
