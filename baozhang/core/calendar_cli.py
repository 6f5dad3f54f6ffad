"""``baozhang calendar``: deadlines and business time from the command line.

Pure logic over the streams it is given (no Django, no files, no clock), so that tests
call :func:`run` with ``io.StringIO`` and the management command passes ``sys`` streams::

    calendar add CALENDAR START DURATION      the end, ISO 8601 with offset
    calendar add CALENDAR -                   lines "START DURATION" on stdin
    calendar between CALENDAR START END       business time, ISO 8601 (PT…)
    calendar between CALENDAR -               lines "START END" on stdin
    calendar show CALENDAR --from DATE --to DATE
                                              each day: open spans or closed, and why

A result that used the fallback past the holiday data ends with the word ``provisional``.
Bad input: one ``error: …`` line (English / 中文) naming the bad value, exit status 2; in
bulk mode the error line takes the bad line's place, the other lines go on, status 2.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TextIO

from baozhang.core.calendar import BuiltinCalendars, Calendar, DayInfo
from baozhang.core.calendar_iso import format_duration, parse_date, parse_duration, parse_moment

__all__ = ["USAGE", "run"]

USAGE = """\
usage: calendar add CALENDAR START DURATION
       calendar add CALENDAR -              (stdin lines: START DURATION)
       calendar between CALENDAR START END
       calendar between CALENDAR -          (stdin lines: START END)
       calendar show CALENDAR --from DATE --to DATE

START, END: ISO 8601 with offset, e.g. 2026-09-30T16:00:00+08:00
DURATION:   business time as ISO 8601 (PT4H30M) or working days (10wd)
A result that used the Monday-Friday fallback ends with the word 'provisional'.
"""

_OK, _BAD = 0, 2
_MAX_SHOW_DAYS = 3660
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class _UsageError(ValueError):
    pass


def _tag(text: str, provisional: bool) -> str:
    return f"{text} provisional" if provisional else text


def _add(calendar: Calendar, start_text: str, duration_text: str) -> str:
    start = parse_moment(start_text, "start time", "开始时间")
    duration = parse_duration(duration_text)
    result = calendar.add(start, duration)
    return _tag(result.at.isoformat(), result.provisional)


def _between(calendar: Calendar, start_text: str, end_text: str) -> str:
    start = parse_moment(start_text, "start time", "开始时间")
    end = parse_moment(end_text, "end time", "结束时间")
    result = calendar.between(start, end)
    return _tag(format_duration(result.duration), result.provisional)


def _show_line(info: DayInfo) -> str:
    head = f"{info.date.isoformat()} {_WEEKDAYS[info.date.weekday()]}"
    body = ("open " + " ".join(str(s) for s in info.spans)) if info.spans else "closed"
    return _tag(f"{head} {body} ({info.reason})", info.provisional)


def _bulk(
    calendar: Calendar,
    op: Callable[[Calendar, str, str], str],
    what: str,
    stdin: TextIO,
    stdout: TextIO,
) -> int:
    status = _OK
    for lineno, line in enumerate(stdin, start=1):
        fields = line.split()
        try:
            if len(fields) != 2:
                raise ValueError(
                    f"line {lineno}: expected two fields '{what}', got {line.strip()!r} / "
                    f"第 {lineno} 行：应为两个字段 '{what}'，实际为 {line.strip()!r}"
                )
            out = op(calendar, fields[0], fields[1])
        except ValueError as exc:
            out = f"error: {exc}"
            status = _BAD
        stdout.write(out + "\n")
    return status


def _option(args: list[str], name: str) -> str:
    """Remove ``--name VALUE`` or ``--name=VALUE`` from ``args`` and return VALUE."""
    for k, arg in enumerate(args):
        if arg == name:
            if k + 1 >= len(args):
                break
            value = args[k + 1]
            del args[k : k + 2]
            return value
        if arg.startswith(name + "="):
            del args[k]
            return arg[len(name) + 1 :]
    raise _UsageError(f"show needs {name} DATE (YYYY-MM-DD) / show 需要 {name} 日期（YYYY-MM-DD）")


def _show(calendar: Calendar, args: list[str], stdout: TextIO) -> int:
    first = parse_date(_option(args, "--from"), "--from date", "--from 日期")
    last = parse_date(_option(args, "--to"), "--to date", "--to 日期")
    if args:
        raise _UsageError(f"unexpected argument {args[0]!r} for show / show 的多余参数 {args[0]!r}")
    days = (last - first).days
    if not 0 <= days < _MAX_SHOW_DAYS:
        raise ValueError(
            f"bad date range {first.isoformat()}..{last.isoformat()} (--to must not be before "
            f"--from, at most {_MAX_SHOW_DAYS} days) / 日期范围无效 {first.isoformat()}.."
            f"{last.isoformat()}（--to 不得早于 --from，最多 {_MAX_SHOW_DAYS} 天）"
        )
    lines = [_show_line(info) for info in calendar.days(first, last)]
    stdout.write("".join(line + "\n" for line in lines))
    return _OK


def _run(argv: list[str], stdin: TextIO, stdout: TextIO, calendars: Mapping[str, Calendar]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        stdout.write(USAGE)
        return _OK
    command, args = argv[0], argv[1:]
    if command not in ("add", "between", "show"):
        raise _UsageError(
            f"unknown command {command!r} (expected add, between or show) / "
            f"未知命令 {command!r}（应为 add、between 或 show）"
        )
    if not args:
        raise _UsageError(f"{command} needs a CALENDAR / {command} 需要日历名称")
    name = args.pop(0)
    if name not in calendars:
        known = ", ".join(sorted(calendars))
        raise ValueError(
            f"unknown calendar {name!r} (known: {known}) / 未知日历 {name!r}（可用：{known}）"
        )
    calendar = calendars[name]
    if command == "show":
        return _show(calendar, args, stdout)
    op, fields = (_add, "START DURATION") if command == "add" else (_between, "START END")
    if args == ["-"]:
        return _bulk(calendar, op, fields, stdin, stdout)
    if len(args) != 2:
        raise _UsageError(
            f"{command} takes CALENDAR {fields} or CALENDAR - (got {len(args) + 1} arguments) / "
            f"{command} 的参数应为 日历 {fields} 或 日历 -（实际 {len(args) + 1} 个）"
        )
    stdout.write(op(calendar, args[0], args[1]) + "\n")
    return _OK


def run(
    argv: list[str],
    stdin: TextIO,
    stdout: TextIO,
    stderr: TextIO,
    calendars: Mapping[str, Calendar] | None = None,
) -> int:
    """Run one ``calendar`` command; return the exit status (0 ok, 2 bad input).

    ``argv`` excludes the program and ``calendar`` words, e.g. ``["add", "cn-5x8",
    "2026-09-30T16:00:00+08:00", "10wd"]``. ``calendars`` defaults to the built-ins
    (``24x7``, ``cn-5x8``). Errors go to ``stderr`` as one line starting ``error:``,
    except in bulk mode where each bad line's error goes to ``stdout`` in its place.
    """
    try:
        return _run(list(argv), stdin, stdout, calendars or BuiltinCalendars())
    except ValueError as exc:
        # One line, always: scripts grep for it; `calendar --help` prints the usage.
        stderr.write(f"error: {exc}\n")
        return _BAD
