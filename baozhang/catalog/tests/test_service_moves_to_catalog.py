"""The service catalogue leaves monitoring (catalog 0001, incidents and maintenance 0002,
monitoring 0004) without losing or changing a row: on a database built from the
migrations as they were before, and on one filled by the demo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from baozhang.catalog import services as service_catalog
from baozhang.catalog.models import Service
from baozhang.events.selectors import timeline

# Migrating the catalogue to nothing takes back the migrations that depend on it
# (monitoring 0004, incidents 0002, maintenance 0002): the schema as it was before.
BEFORE = [("catalog", None)]
# The move itself: the catalogue's first migration and those that point at it.
MOVE = [
    ("catalog", "0001_initial"),
    ("monitoring", "0004_service_moves_to_catalog"),
    ("incidents", "0002_service_in_catalog"),
    ("maintenance", "0002_service_in_catalog"),
]
AT = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


def _migrate(targets: list[tuple[str, str | None]]) -> Any:
    """Migrate to ``targets``; the historical apps of the state reached."""
    MigrationExecutor(connection).migrate(targets)
    ContentType.objects.clear_cache()
    loader = MigrationExecutor(connection).loader
    applied = [n for n in loader.applied_migrations if n in loader.graph.nodes]
    return loader.project_state(applied).apps


def _latest() -> Any:
    return _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def _tables() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order (the migration bookkeeping aside)."""
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            rows[table] = [tuple(r) for r in cursor.fetchall()]
    return rows


@pytest.mark.django_db(transaction=True)
def test_services_and_what_refers_to_them_survive_the_move(personas: Any) -> None:
    # given a database as the migrations left it before the catalogue had its own app
    try:
        old = _migrate(BEFORE)
        Organisation = old.get_model("accounts", "Organisation")
        customer = Organisation.objects.get(pk=personas.org_a.pk)
        OldService = old.get_model("monitoring", "Service")
        hosting = OldService.objects.create(
            name="云主机", name_en="Cloud hosts", slug="hosts", position=2, is_public=False
        )
        hosting.customers.add(customer)
        portal = OldService.objects.create(name="客户门户", slug="portal", position=1)
        monitor = old.get_model("monitoring", "Monitor").objects.create(
            name="gateway", kind="http", target="http://127.0.0.1/"
        )
        monitor.services.add(hosting, portal)
        incident = old.get_model("incidents", "Incident").objects.create(
            reference="INC-1",
            title="主机不可用",
            service=hosting,
            restore_due_at=AT + dt.timedelta(hours=4),
            source="monitor",
            detected_at=AT,
        )
        window = old.get_model("maintenance", "MaintenanceWindow").objects.create(
            title="机房维护", start=AT, end=AT + dt.timedelta(hours=2)
        )
        window.services.add(hosting)
        old.get_model("events", "Event").objects.create(
            at=AT,
            kind="updated",
            object_type="monitoring.service",
            object_id=str(hosting.pk),
            object_label="云主机",
        )
        OldContentType = old.get_model("contenttypes", "ContentType")
        service_type = OldContentType.objects.get(app_label="monitoring", model="service")
        change = old.get_model("auth", "Permission").objects.get(
            content_type=service_type, codename="change_service"
        )
        group = old.get_model("auth", "Group").objects.create(name="service editors")
        group.permissions.add(change)
        old.get_model(personas.agent._meta.app_label, "User").objects.get(
            pk=personas.agent.pk
        ).groups.add(group)
        entry = old.get_model("admin", "LogEntry").objects.create(
            action_time=AT,
            user_id=personas.admin.pk,
            content_type=service_type,
            object_id=str(hosting.pk),
            object_repr="云主机",
            action_flag=2,
        )

        # when the migrations run forward
        new = _latest()

        # then every row is kept and every reference resolves to the catalogue's service
        assert list(
            Service.objects.values_list("pk", "name", "name_en", "slug", "position", "is_public")
        ) == [
            (portal.pk, "客户门户", "", "portal", 1, True),
            (hosting.pk, "云主机", "Cloud hosts", "hosts", 2, False),
        ]
        moved = Service.objects.get(pk=hosting.pk)
        assert list(moved.customers.values_list("pk", flat=True)) == [customer.pk]
        assert set(moved.monitors.values_list("pk", flat=True)) == {monitor.pk}
        assert set(
            new.get_model("monitoring", "Monitor")
            .objects.get(pk=monitor.pk)
            .services.values_list("pk", flat=True)
        ) == {hosting.pk, portal.pk}
        assert moved.incidents.get().pk == incident.pk
        assert list(moved.maintenance_windows.values_list("pk", flat=True)) == [window.pk]
        # the content type is the same row, renamed: permissions and admin entries follow
        kind = ContentType.objects.get_for_model(Service)
        assert (kind.pk, kind.app_label, kind.model) == (service_type.pk, "catalog", "service")
        assert not ContentType.objects.filter(app_label="monitoring", model="service").exists()
        agent = type(personas.agent).objects.get(pk=personas.agent.pk)
        assert agent.has_perm("catalog.change_service")
        LogEntry = new.get_model("admin", "LogEntry")
        assert LogEntry.objects.get(pk=entry.pk).content_type_id == kind.pk
        # the service's history still shows what was recorded under its former name
        assert [e.object_type for e in timeline(personas.admin, moved)] == ["monitoring.service"]
        # and an engineer still edits services
        service_catalog.update_service(personas.engineer, moved, name_en="Cloud servers")
        assert Service.objects.get(pk=hosting.pk).name_en == "Cloud servers"
    finally:
        _latest()


@pytest.mark.django_db(transaction=True)
def test_a_demo_database_moves_forward_with_every_row_as_it_was() -> None:
    from baozhang.demo import load_demo

    # given a database filled by the demo, taken back to before the move
    assert load_demo() is not None
    now = _tables()
    assert now["monitoring_service"] and now["incidents_incident"]
    try:
        _migrate(BEFORE)
        before = _tables()
        assert ContentType.objects.filter(app_label="monitoring", model="service").exists()

        # when the migrations of the move run forward
        _migrate(MOVE)
        after = _tables()
    finally:
        _latest()

    # then every table holds the same rows; only the service's content type is renamed
    service_type = ContentType.objects.get(app_label="catalog", model="service")
    assert set(after) == set(before)
    for table in before:
        if table != "django_content_type":
            assert after[table] == before[table], table
    renamed = [r for r in before["django_content_type"] if r not in after["django_content_type"]]
    assert [r[0] for r in renamed] == [service_type.pk]
    # and back at the latest migrations, the demo's services, monitors and incidents are all
    # there (what later migrations add, such as the analysis and asset tables, goes back and
    # forth with them and is not part of the move)
    latest = _tables()
    for table in ("monitoring_service", "monitoring_monitor", "incidents_incident"):
        assert [r[0] for r in latest[table]] == [r[0] for r in now[table]], table
