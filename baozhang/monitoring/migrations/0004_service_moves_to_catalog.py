"""The service catalogue has left monitoring (catalog 0001): a monitor's services are the
catalogue's, and the model leaves monitoring's state. In Django's state only: the table
``monitoring_service`` is the catalogue's now, under the same name, with every row."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        # Every reference to monitoring.Service has moved to the catalogue before the
        # model leaves monitoring's state.
        ("incidents", "0002_service_in_catalog"),
        ("maintenance", "0002_service_in_catalog"),
        ("monitoring", "0003_check_state"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="monitor",
                    name="services",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="monitors",
                        to="catalog.service",
                        verbose_name="services",
                    ),
                ),
                migrations.DeleteModel(name="Service"),
            ],
            database_operations=[],
        ),
    ]
