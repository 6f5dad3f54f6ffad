"""Which tables a backup holds, and how a row goes from a database to the archive and back.

Every concrete model of every installed app is one table (Django's own, axes and otp
included; many-to-many tables are the auto-created models). ``django_migrations`` is not
data: the manifest carries it as the schema version.

Reading goes through the ORM's ``values_list`` (so that each backend's conversions give
the same Python values: booleans, aware datetimes, decimals, JSON), streamed with
``iterator`` (a server-side cursor on PostgreSQL). Writing goes around the models
(``get_db_prep_save`` then a plain INSERT, or COPY on PostgreSQL): no ``save()``, no
signals, no instances, ids as they were (docs/decisions.md).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

# What `migrate` writes into an empty database by itself (content types, permissions,
# the role groups): a database holding only these rows counts as empty. A model of an
# area whose migrations write rows too says so with a class attribute
# ``seeded_by_migrate = True`` (e.g. the built-in cause categories).
SEEDED_BY_MIGRATE = frozenset(
    {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}
)


@dataclass(frozen=True)
class Table:
    """One table: its model, and its columns in archive order (the model's concrete
    fields)."""

    model: type[Model]
    fields: tuple[Field[Any, Any], ...]

    @property
    def name(self) -> str:
        return str(self.model._meta.db_table)

    @property
    def label(self) -> str:
        return str(self.model._meta.label)

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]


def all_tables() -> list[Table]:
    """Every table of every installed app, parents before the tables that point at them
    where the foreign keys allow (restore defers the checks anyway), then by name."""
    found: dict[str, Table] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy or meta.swapped:
            continue
        found.setdefault(meta.db_table, Table(model, tuple(meta.concrete_fields)))
    return _parents_first(found)


def _parents_first(found: dict[str, Table]) -> list[Table]:
    order: list[Table] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name):
            return  # done, or on the current path (a cycle: deferred checks handle it)
        state[name] = 1
        for field in found[name].fields:
            target = field.related_model
            if field.is_relation and target is not None and not isinstance(target, str):
                parent = target._meta.db_table
                if parent in found and parent != name:
                    visit(parent)
        state[name] = 2
        order.append(found[name])

    for name in sorted(found):
        visit(name)
    return order


def read_rows(table: Table, alias: str, chunk: int = 2000) -> Iterator[tuple[Any, ...]]:
    """The table's rows as tuples of Python values, in primary-key order, streamed."""
    names = [f.attname for f in table.fields]
    query = table.model._base_manager.using(alias).order_by("pk").values_list(*names)
    return query.iterator(chunk_size=chunk)


def count_rows(table: Table, alias: str) -> int:
    return int(table.model._base_manager.using(alias).count())


def _decoder(field: Field[Any, Any]) -> Callable[[Any], Any] | None:
    """From the archive's canonical JSON value back to the Python value the field takes
    (see baozhang.core.backup_manifest.canonical_value)."""
    kind = field.get_internal_type()
    if field.is_relation and field.target_field is not None:
        kind = field.target_field.get_internal_type()
    return {
        "DateTimeField": dt.datetime.fromisoformat,
        "DateField": dt.date.fromisoformat,
        "TimeField": dt.time.fromisoformat,
        "DecimalField": Decimal,
        "DurationField": lambda v: dt.timedelta(microseconds=v),
        "BinaryField": base64.b64decode,
        "UUIDField": uuid.UUID,
    }.get(kind)


class RowWriter:
    """Turns archive rows (lists of canonical JSON values, in the archive's column order)
    into database parameters for one table on one connection."""

    def __init__(self, table: Table, columns: Sequence[str], connection: BaseDatabaseWrapper):
        by_column = {f.column: f for f in table.fields}
        unknown = [c for c in columns if c not in by_column]
        if unknown:
            raise LookupError(f"{table.name}: columns not in this version: {', '.join(unknown)}")
        self.table = table
        self.columns = list(columns)
        self.connection = connection
        self._fields = [by_column[c] for c in columns]
        self._decoders = [_decoder(f) for f in self._fields]

    def params(self, row: Sequence[Any]) -> list[Any]:
        out = []
        for value, field, decode in zip(row, self._fields, self._decoders, strict=True):
            if value is not None and decode is not None:
                value = decode(value)
            out.append(field.get_db_prep_save(value, self.connection))
        return out


def insert_rows(writer: RowWriter, rows: Sequence[Sequence[Any]]) -> None:
    """Insert one batch of archive rows with their ids as they were."""
    connection = writer.connection
    qn = connection.ops.quote_name
    table = qn(writer.table.name)
    cols = ", ".join(qn(c) for c in writer.columns)
    params = [writer.params(r) for r in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            raw = cursor.cursor  # psycopg's own cursor: COPY is several times faster
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for p in params:
                    copy.write_row(p)
            return
        marks = ", ".join(["%s"] * len(writer.columns))
        cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", params)


def wipe(tables: Sequence[Table], connection: BaseDatabaseWrapper) -> None:
    """Empty every table (inside the caller's transaction, foreign-key checks deferred)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # TRUNCATE fires no row triggers (the events table refuses DELETE).
            cursor.execute(
                "TRUNCATE " + ", ".join(qn(t.name) for t in tables) + " RESTART IDENTITY CASCADE"
            )
            return
        for t in reversed(tables):
            cursor.execute(f"DELETE FROM {qn(t.name)}")


def reset_sequences(tables: Sequence[Table], connection: BaseDatabaseWrapper) -> None:
    """Move each table's id sequence past the ids just inserted (PostgreSQL; SQLite's
    AUTOINCREMENT follows the largest id by itself)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def tables_holding_data(connection_alias: str = "default") -> list[str]:
    """Names of tables that hold rows other than what `migrate` writes by itself."""
    connection = connections[connection_alias]
    existing = set(connection.introspection.table_names())
    out = []
    for t in all_tables():
        if t.name in SEEDED_BY_MIGRATE or t.name not in existing:
            continue
        if getattr(t.model, "seeded_by_migrate", False):
            continue
        if t.model._base_manager.using(connection_alias).exists():
            out.append(t.name)
    return out
