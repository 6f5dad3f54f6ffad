"""A window's services are the catalogue's now (catalog 0001): the same tables, so the
many-to-many table and its columns stay; the reference changes in Django's state only."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("maintenance", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="maintenancewindow",
                    name="services",
                    field=models.ManyToManyField(
                        related_name="maintenance_windows",
                        to="catalog.service",
                        verbose_name="services",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
