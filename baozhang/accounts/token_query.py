"""The one statement a bearer token costs: the token, its person, the person's organisation
and groups, read together (accounts.services.user_for_token).

Every API request made with a token starts here, so the statement is written once per
process from the models' own tables and columns rather than compiled by the ORM for each
request (compiling the same three-table query with its group join was half the CPU time of
a trivial token request). The values are converted as the ORM converts them for the
database in use, and the person comes back as a model instance with its organisation
attached, as ``select_related`` would give it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connections

from baozhang.accounts.models import ApiToken, Organisation, User

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class TokenRow:
    """What a token's statement gave: its person (with the organisation attached), the
    token's id, whether it was last marked used before the given moment, and the names of
    the person's groups."""

    user: User
    token_id: int
    stale: bool
    group_names: tuple[str, ...]


@functools.cache
def _statement(vendor: str) -> str:
    """The statement for the database ``vendor``, from the models' tables and columns: the
    token's id, whether it is stale, a group's name, then the person's and the
    organisation's concrete fields in their models' order."""
    connection = connections["default"]
    q = connection.ops.quote_name
    through = User.groups.through._meta
    group = User.groups.field.related_model._meta
    token = ApiToken._meta
    columns = [f"u.{q(f.column)}" for f in User._meta.concrete_fields]
    columns += [f"o.{q(f.column)}" for f in Organisation._meta.concrete_fields]
    user_column = q(through.get_field("user").column)
    group_column = q(through.get_field("group").column)
    user_pk = q(User._meta.pk.column)
    user_org = q(User._meta.get_field("organisation").column)
    last_used = q(token.get_field("last_used_at").column)
    sql = (
        f"SELECT t.{q(token.pk.column)},"
        f" (t.{last_used} IS NULL OR t.{last_used} < %s),"
        f" g.{q(group.get_field('name').column)}, {', '.join(columns)}"
        f" FROM {q(token.db_table)} t"
        f" INNER JOIN {q(User._meta.db_table)} u"
        f" ON u.{user_pk} = t.{q(token.get_field('user').column)}"
        f" LEFT OUTER JOIN {q(Organisation._meta.db_table)} o"
        f" ON o.{q(Organisation._meta.pk.column)} = u.{user_org}"
        f" LEFT OUTER JOIN {q(through.db_table)} ug ON ug.{user_column} = u.{user_pk}"
        f" LEFT OUTER JOIN {q(group.db_table)} g ON g.{q(group.pk.column)} = ug.{group_column}"
        f" WHERE t.{q(token.get_field('digest').column)} = %s"
        f" AND t.{q(token.get_field('revoked_at').column)} IS NULL"
    )
    return sql


@functools.cache
def _reading(vendor: str, model: type[Any]) -> tuple[list[str], tuple[tuple[Converter, ...], ...]]:
    """The attribute names of ``model``'s concrete fields, and per field the converters the
    ORM applies to its values as read from the database ``vendor`` (SQLite's booleans and
    times, for instance)."""
    connection = connections["default"]
    converters = []
    for field in model._meta.concrete_fields:
        col = field.get_col(model._meta.db_table)
        converters.append(
            tuple(connection.ops.get_db_converters(col) + col.get_db_converters(connection))
        )
    return [f.attname for f in model._meta.concrete_fields], tuple(converters)


def _instance(model: type[Any], values: Sequence[Any]) -> Any:
    connection = connections["default"]
    attnames, converters = _reading(connection.vendor, model)
    converted = []
    for field_converters, value in zip(converters, values, strict=True):
        for convert in field_converters:
            value = convert(value, None, connection)
        converted.append(value)
    return model.from_db("default", attnames, converted)


def read_token(digest: str, stale_before: datetime) -> TokenRow | None:
    """The token with this digest that is not revoked, with its person, or None."""
    connection = connections["default"]
    with connection.cursor() as cursor:
        cursor.execute(
            _statement(connection.vendor),
            [connection.ops.adapt_datetimefield_value(stale_before), digest],
        )
        rows = cursor.fetchall()
    if not rows:
        return None
    first = rows[0]
    n_user = len(User._meta.concrete_fields)
    user = _instance(User, first[3 : 3 + n_user])
    organisation = (
        _instance(Organisation, first[3 + n_user :]) if user.organisation_id is not None else None
    )
    User.organisation.field.set_cached_value(user, organisation)
    return TokenRow(
        user=user,
        token_id=first[0],
        stale=bool(first[1]),
        group_names=tuple(row[2] for row in rows if row[2] is not None),
    )
