"""``baozhang calendar …``: a thin wrapper over :func:`baozhang.core.calendar_cli.run`.

All behaviour lives in the pure function; this command only hands it the process's
streams and every calendar by key (built-ins and the operator's own, see
:func:`baozhang.calendars.selectors.all_calendars`), reads ``--schedule FILE`` (a newly
announced official schedule, see docs/calendars.md) and exits with the function's status.

The built-in calendars need no database: before `baozhang migrate` (no tables yet) the
command answers from them alone, and says what to run only when asked for another one.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baozhang.calendars.selectors import all_calendars
from baozhang.cli import schema_problem
from baozhang.core.calendar import BuiltinCalendars, Calendar
from baozhang.core.calendar_cli import USAGE, run
from baozhang.core.calendar_schedule import parse_schedule


def _calendars() -> Mapping[str, Calendar]:
    """Every calendar, or only the built-ins while the database is not set up."""
    return BuiltinCalendars() if schema_problem(migrations=False) else all_calendars()


def _not_set_up_note(argv: list[str]) -> str | None:
    """The line saying to run migrate, when a calendar other than a built-in is asked for
    and the database (which holds the operator's calendars) is not set up."""
    name = next((a for a in argv[1:2] if not a.startswith("-")), None)
    if name is None or name in BuiltinCalendars():
        return None
    return schema_problem(migrations=False)


def _with_schedules(
    argv: list[str],
) -> tuple[list[str], Mapping[str, Calendar] | None, str | None]:
    """Strip ``--schedule FILE`` options; return argv, calendars, and an error line."""
    rest: list[str] = []
    paths: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--schedule":
            path = next(args, None)
            if path is None:
                return rest, None, "error: --schedule needs a FILE / --schedule 需要文件路径"
            paths.append(path)
        elif arg.startswith("--schedule="):
            paths.append(arg.split("=", 1)[1])
        else:
            rest.append(arg)
    if not paths:
        return rest, _calendars(), None
    calendars = dict(_calendars().items())
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                schedule = parse_schedule(f.read(), name=path)
        except OSError as exc:
            return (
                rest,
                None,
                (
                    f"error: cannot read schedule file {path!r} ({exc.strerror}) / "
                    f"无法读取日程文件 {path!r}（{exc.strerror}）"
                ),
            )
        except ValueError as exc:
            return rest, None, f"error: {path}: {exc}"
        calendars = {
            name: cal.with_schedule(schedule) if cal.schedule is not None else cal
            for name, cal in calendars.items()
        }
    return rest, calendars, None


class Command(BaseCommand):
    help = "Deadlines and business time on a calendar.\n\n" + USAGE

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("args", nargs="*")

    def run_from_argv(self, argv: list[str]) -> None:
        # argparse would take "-" and "--from" for its own options: hand everything over.
        rest, calendars, error = _with_schedules(argv[2:])
        if error is not None:
            sys.stderr.write(error + "\n")
            sys.exit(2)
        status = run(rest, sys.stdin, sys.stdout, sys.stderr, calendars)
        note = _not_set_up_note(rest) if status else None
        if note:
            sys.stderr.write(note + "\n")
        sys.exit(status)

    def handle(self, *args: str, **options: Any) -> None:
        # Reached through call_command(): same function, the command's own streams.
        rest, calendars, error = _with_schedules(list(args))
        if error is not None:
            raise CommandError(error, returncode=2)
        status = run(rest, sys.stdin, self.stdout, self.stderr, calendars)  # type: ignore[arg-type]
        if status:
            raise CommandError(f"calendar exited with status {status}", returncode=status)
