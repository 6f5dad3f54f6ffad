"""The service catalogue leaves monitoring for an app of its own, without touching a row.

The model moves in Django's state only: its table keeps its name (``monitoring_service``,
set in ``Service.Meta.db_table``), and so do its customers' table and every foreign key
and many-to-many column that points at it (incidents, maintenance windows, monitors: their
apps alter the reference in state only). monitoring 0004 then removes the model from
monitoring's state. The content type row moves with the model (``monitoring.service`` →
``catalog.service``), so that permissions and admin log entries keep pointing at it."""

from django.db import migrations, models

OLD = ("monitoring", "service")
NEW = ("catalog", "service")


def _move_content_type(apps, schema_editor, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    old = rows.filter(app_label=source[0], model=source[1]).first()
    if old is None:
        return  # a fresh database: post-migrate creates catalog.service itself
    new = rows.filter(app_label=target[0], model=target[1]).first()
    if new is not None:
        # Both exist (made by a post-migrate of the target app): keep the old row, which
        # permissions, groups and admin entries refer to; bring over what the new one has.
        have = set(Permission.objects.filter(content_type=old).values_list("codename", flat=True))
        Permission.objects.filter(content_type=new, codename__in=have).delete()
        Permission.objects.filter(content_type=new).update(content_type=old)
        new.delete()
    old.app_label, old.model = target
    old.save(update_fields=["app_label", "model"])
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    LiveContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _move_content_type(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0003_organisation_green_channel_user_green_channel"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("monitoring", "0003_check_state"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Service",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "name",
                            models.CharField(max_length=120, unique=True, verbose_name="name (Chinese)"),
                        ),
                        (
                            "name_en",
                            models.CharField(blank=True, max_length=120, verbose_name="name (English)"),
                        ),
                        ("slug", models.SlugField(max_length=60, unique=True, verbose_name="short name")),
                        ("description", models.TextField(blank=True, verbose_name="description")),
                        (
                            "is_public",
                            models.BooleanField(
                                default=True,
                                help_text="Shown with its state, uptime and incidents on the public status page.",
                                verbose_name="on the public status page",
                            ),
                        ),
                        ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                        (
                            "customers",
                            models.ManyToManyField(
                                blank=True,
                                help_text="Customers who use this service: they are told of its incidents and maintenance.",
                                related_name="services",
                                to="accounts.organisation",
                                verbose_name="customers",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "service",
                        "verbose_name_plural": "services",
                        "db_table": "monitoring_service",
                        "ordering": ["position", "name"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
