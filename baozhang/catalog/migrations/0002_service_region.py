from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="region",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text=(
                    "Where the service is delivered from: its machine room or node region, "
                    "e.g. 华东 East China. The quality report can be read for one region."
                ),
                max_length=60,
                verbose_name="region",
            ),
        ),
    ]
