"""The ``calendar`` command's logic, called as a pure function with StringIO streams."""

from __future__ import annotations

import io

import pytest

from baozhang.core.calendar_cli import run


def call(*argv: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run(list(argv), io.StringIO(stdin), out, err)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("add", "cn-5x8", "2026-09-30T16:00:00+08:00", "10wd"), "2026-10-20T18:00:00+08:00\n"),
        (("add", "cn-5x8", "2026-09-30T10:00:00+08:00", "PT2H"), "2026-09-30T12:00:00+08:00\n"),
        (("add", "cn-5x8", "2026-09-30T08:00:00Z", "PT4H30M"), "2026-10-08T11:30:00+08:00\n"),
        (("add", "24x7", "2026-10-01T00:00:00+08:00", "P1DT1H"), "2026-10-02T01:00:00+08:00\n"),
        (
            ("between", "cn-5x8", "2026-09-30T10:00:00+08:00", "2026-10-09T10:30:00+08:00"),
            "PT16H30M\n",
        ),
        (("between", "cn-5x8", "2026-10-01T10:00:00+08:00", "2026-10-02T10:00:00+08:00"), "PT0S\n"),
        (
            ("between", "cn-5x8", "2026-09-30T10:00:01.5+08:00", "2026-09-30T10:00:03+08:00"),
            "PT1.5S\n",
        ),
        (
            ("add", "cn-5x8", "2026-12-31T17:00:00+08:00", "PT2H"),
            "2027-01-04T10:00:00+08:00 provisional\n",
        ),
    ],
)
def test_single_commands(argv: tuple[str, ...], expected: str) -> None:
    assert call(*argv) == (0, expected, "")


def test_bulk_add_keeps_order_and_marks_bad_lines() -> None:
    lines = (
        "2026-09-30T16:00:00+08:00 10wd\n"
        "2026-13-01T10:00:00+08:00 PT1H\n"
        "2026-12-31T17:00:00+08:00 PT2H\n"
        "2026-09-30T10:00:00+08:00 4h\n"
        "2026-09-30T10:00:00+08:00 PT2H\n"
    )
    status, out, err = call("add", "cn-5x8", "-", stdin=lines)
    assert status == 2
    assert err == ""
    got = out.splitlines()
    assert len(got) == 5
    assert got[0] == "2026-10-20T18:00:00+08:00"
    assert got[1].startswith("error: bad start time '2026-13-01T10:00:00+08:00'")
    assert got[2] == "2027-01-04T10:00:00+08:00 provisional"
    assert got[3].startswith("error: bad duration '4h'")
    assert got[4] == "2026-09-30T12:00:00+08:00"


def test_bulk_between_all_good_exits_zero() -> None:
    lines = "2026-09-30T10:00:00+08:00 2026-10-08T10:00:00+08:00\n"
    assert call("between", "cn-5x8", "-", stdin=lines) == (0, "PT8H\n", "")


def test_bulk_line_with_wrong_field_count() -> None:
    status, out, _ = call("between", "cn-5x8", "-", stdin="2026-09-30T10:00:00+08:00\n")
    assert status == 2
    assert out.startswith("error: line 1: expected two fields 'START END'")


def test_show_lists_each_day_and_why() -> None:
    status, out, _ = call("show", "cn-5x8", "--from", "2026-09-30", "--to", "2026-10-10")
    assert status == 0
    lines = out.splitlines()
    assert len(lines) == 11
    assert lines[0] == "2026-09-30 Wed open 09:00-12:00 13:00-18:00 (working day / 工作日)"
    assert lines[1].startswith("2026-10-01 Thu closed (国庆节 / National Day")
    assert lines[-1].startswith("2026-10-10 Sat open 09:00-12:00 13:00-18:00 (调休上班")
    later = call("show", "cn-5x8", "--from=2027-01-01", "--to=2027-01-01")[1]
    assert later.endswith(" provisional\n")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (("add", "cn-5x8", "2026-13-01", "PT1H"), "bad start time '2026-13-01'"),
        (("add", "cn-5x8", "2026-09-30T10:00:00", "PT1H"), "expected ISO 8601 with offset"),
        (("add", "cn-5x8", "2026-09-30T10:00:00+08:00", "P1M"), "bad duration 'P1M'"),
        (("add", "cn-5x8", "2026-09-30T10:00:00+08:00", "0wd"), "bad duration '0wd'"),
        (("between", "cn-5x8", "2026-09-30T10:00:00+08:00", "soon"), "bad end time 'soon'"),
        (("add", "nope", "2026-09-30T10:00:00+08:00", "PT1H"), "unknown calendar 'nope'"),
        (("add", "cn-5x8", "2026-09-30T10:00:00+08:00"), "add takes CALENDAR START DURATION"),
        (("frob",), "unknown command 'frob'"),
        (("show", "cn-5x8", "--from", "2026-10-01"), "show needs --to"),
        (("show", "cn-5x8", "--from", "2026-10-01", "--to", "2026-09-01"), "bad date range"),
        (("show", "cn-5x8", "--from", "2026-10-32", "--to", "2026-11-01"), "'2026-10-32'"),
        (("add", "cn-5x8", "1900-01-01T10:00:00+08:00", "PT1H"), "outside the supported years"),
    ],
)
def test_errors_are_one_bilingual_line_with_status_2(argv: tuple[str, ...], needle: str) -> None:
    status, out, err = call(*argv)
    assert status == 2
    assert out == ""
    assert err.startswith("error: ") and err.count("\n") == 1
    assert needle in err
    assert " / " in err and any("\u4e00" <= ch <= "\u9fff" for ch in err)


def test_help() -> None:
    status, out, _ = call("--help")
    assert status == 0 and "calendar add CALENDAR START DURATION" in out
