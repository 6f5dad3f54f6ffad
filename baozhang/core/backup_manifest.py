"""The canonical form of a table row in a platform backup, its checksum, and the
comparison of two manifests. No Django, no I/O, no clock.

A row is a sequence of plain values as a database driver returns them (after the ORM's
conversions): None, bool, int, float, str, Decimal, datetime/date/time, timedelta, UUID,
bytes, and JSON structures (dict/list). :func:`canonical_value` turns each into a JSON
value that is the same whichever database held the row: datetimes in UTC ISO form with
microseconds, decimals as fixed-point text, durations as whole microseconds, bytes in
base64, dictionaries with sorted keys (:func:`row_line` sorts them at every depth).

A table's checksum (:class:`TableDigest`) does not depend on the order of its rows: it
is the sum, modulo 2**256, of the SHA-256 of each row's line. Two databases return rows
with text keys in different orders (collations), and a restore must give the same
figure as the backup it came from.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "Difference",
    "TableDigest",
    "canonical_value",
    "compare_manifests",
    "row_line",
]

_MOD = 2**256


def canonical_value(value: Any) -> Any:
    """The JSON form of one column value (see the module docstring).

    Raises ValueError for a naive datetime (the platform stores aware UTC times only) and
    TypeError for a value of a kind this format does not carry."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"a float that JSON cannot carry: {value!r}")
        return value
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime: {value.isoformat()}")
        return value.astimezone(dt.UTC).isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Mapping):
        return {str(k): canonical_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical_value(v) for v in value]
    raise TypeError(f"no canonical form for {type(value).__name__}: {value!r}")


def row_line(values: Sequence[Any]) -> str:
    """One row as one line of JSON (no newline): canonical values, keys sorted at every
    depth, no spaces, non-ASCII text kept as it is."""
    return json.dumps(
        [canonical_value(v) for v in values],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )


class TableDigest:
    """Row count and order-independent checksum of a table's canonical lines."""

    __slots__ = ("_sum", "rows")

    def __init__(self) -> None:
        self.rows = 0
        self._sum = 0

    def add(self, line: str) -> None:
        digest = hashlib.sha256(line.encode("utf-8")).digest()
        self._sum = (self._sum + int.from_bytes(digest, "big")) % _MOD
        self.rows += 1

    def add_all(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.add(line)

    @property
    def checksum(self) -> str:
        """64 hex digits; the same for the same multiset of lines, in any order."""
        return f"{self._sum:064x}"


@dataclass(frozen=True)
class Difference:
    """One way two manifests disagree: ``what`` is "rows", "checksum", "missing" (in the
    second) or "extra" (only in the second); ``name`` a table or a file."""

    name: str
    what: str
    expected: str
    found: str


def compare_manifests(
    expected: Mapping[str, Mapping[str, Any]], found: Mapping[str, Mapping[str, Any]]
) -> list[Difference]:
    """Compare ``{name: {"rows": int, "checksum": str}}`` maps (tables, or files with
    ``bytes`` in place of ``rows``). Returns the differences sorted by name, empty when
    the two agree."""
    out: list[Difference] = []
    for name in sorted(set(expected) | set(found)):
        if name not in found:
            out.append(Difference(name, "missing", "present", "absent"))
            continue
        if name not in expected:
            out.append(Difference(name, "extra", "absent", "present"))
            continue
        a, b = expected[name], found[name]
        for key in ("rows", "bytes"):
            if key in a and a.get(key) != b.get(key):
                out.append(Difference(name, key, str(a.get(key)), str(b.get(key))))
        if a.get("checksum") != b.get("checksum"):
            out.append(Difference(name, "checksum", str(a["checksum"]), str(b.get("checksum"))))
    return out
