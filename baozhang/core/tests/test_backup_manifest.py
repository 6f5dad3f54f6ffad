"""The canonical row form and checksums of a platform backup: the same figure whichever
database returned the values, and in whatever order the rows came."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baozhang.core.backup_manifest import (
    Difference,
    TableDigest,
    canonical_value,
    compare_manifests,
    row_line,
)

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        (True, True),
        (7, 7),
        ("长城", "长城"),
        (dt.datetime(2026, 1, 1, 8, 0, tzinfo=SH), "2026-01-01T00:00:00.000000+00:00"),
        (dt.date(2026, 2, 17), "2026-02-17"),
        (dt.time(9, 30), "09:30:00"),
        (dt.timedelta(hours=2, microseconds=5), 7_200_000_005),
        (Decimal("12.50"), "12.50"),
        (Decimal("1E+2"), "100"),
        (uuid.UUID(int=1), "00000000-0000-0000-0000-000000000001"),
        (b"\x00\xff", "AP8="),
        (memoryview(b"ab"), "YWI="),
        ({"b": [dt.date(2026, 1, 1)], "a": 1}, {"b": ["2026-01-01"], "a": 1}),
    ],
)
def test_each_kind_of_value_has_one_canonical_form(value: object, expected: object) -> None:
    assert canonical_value(value) == expected


def test_the_same_moment_in_two_zones_gives_the_same_line() -> None:
    # Given one moment as SQLite (UTC) and as PostgreSQL in another session zone returns it
    utc = dt.datetime(2026, 3, 1, 1, 2, 3, 4, tzinfo=dt.UTC)
    shanghai = utc.astimezone(SH)
    # Then the lines are equal
    assert row_line([1, utc]) == row_line([1, shanghai])


def test_json_keys_are_sorted_at_every_depth() -> None:
    assert row_line([{"b": {"y": 1, "x": 2}, "a": None}]) == '[{"a":null,"b":{"x":2,"y":1}}]'


def test_a_naive_datetime_or_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        canonical_value(dt.datetime(2026, 1, 1))  # noqa: DTZ001
    with pytest.raises(TypeError, match="object"):
        canonical_value(object())
    with pytest.raises(ValueError, match="JSON"):
        canonical_value(float("nan"))


@given(st.lists(st.text(max_size=20), max_size=30), st.randoms())
def test_the_checksum_does_not_depend_on_row_order(lines: list[str], rnd: random.Random) -> None:
    # Given the same lines in two orders
    shuffled = list(lines)
    rnd.shuffle(shuffled)
    a, b = TableDigest(), TableDigest()
    a.add_all(lines)
    b.add_all(shuffled)
    # Then count and checksum agree
    assert (a.rows, a.checksum) == (b.rows, b.checksum)


def test_a_changed_row_changes_the_checksum() -> None:
    a, b = TableDigest(), TableDigest()
    a.add_all(['[1,"x"]', '[2,"y"]'])
    b.add_all(['[1,"x"]', '[2,"z"]'])
    assert a.rows == b.rows
    assert a.checksum != b.checksum


def test_compare_manifests_names_each_difference() -> None:
    expected = {
        "a": {"rows": 1, "checksum": "1"},
        "b": {"rows": 2, "checksum": "2"},
        "c": {"rows": 0, "checksum": "0"},
    }
    found = {"a": {"rows": 1, "checksum": "1"}, "b": {"rows": 3, "checksum": "9"}, "d": {}}
    assert compare_manifests(expected, found) == [
        Difference("b", "rows", "2", "3"),
        Difference("b", "checksum", "2", "9"),
        Difference("c", "missing", "present", "absent"),
        Difference("d", "extra", "absent", "present"),
    ]
    assert compare_manifests(expected, json.loads(json.dumps(expected))) == []
