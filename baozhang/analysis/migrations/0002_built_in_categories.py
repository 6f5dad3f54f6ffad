"""The eight cause categories of the seed (Q2), built in: renamable, never deleted (going
back, the table itself goes with 0001; analyses may still refer to the rows until then)."""

from django.db import migrations

from baozhang.analysis.built_in import BUILT_IN


def create(apps, schema_editor):
    CauseCategory = apps.get_model("analysis", "CauseCategory")
    for n, (key, name, name_en) in enumerate(BUILT_IN, start=1):
        CauseCategory.objects.update_or_create(
            key=key,
            defaults={"name": name, "name_en": name_en, "position": n * 10, "built_in": True},
        )


class Migration(migrations.Migration):
    dependencies = [("analysis", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
