from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from baozhang.calendars import services
from baozhang.calendars.management.commands.calendar import _with_schedules
from baozhang.core.calendar_cli import run


def _run(argv: list[str]) -> tuple[int, str, str]:
    rest, calendars, error = _with_schedules(argv)
    assert error is None
    out, err = io.StringIO(), io.StringIO()
    status = run(rest, io.StringIO(), out, err, calendars)
    return status, out.getvalue(), err.getvalue()


def test_the_cli_computes_on_an_operator_calendar_by_key(calendar_factory):
    cal = calendar_factory(key="gold")
    services.set_date(None, cal, date=dt.date(2026, 10, 12), kind="closed", reason="Move")

    out = io.StringIO()
    call_command("calendar", "add", "gold", "2026-09-30T16:00:00+08:00", "10wd", stdout=out)
    assert out.getvalue() == "2026-10-21T18:00:00+08:00\n"

    _status, out, _err = _run(["show", "gold", "--from", "2026-10-12", "--to", "2026-10-12"])
    assert out == "2026-10-12 Mon closed (Move)\n"


def test_the_cli_names_the_known_keys_for_an_unknown_one(calendar_factory):
    calendar_factory(key="gold")
    status, _out, err = _run(["add", "silver", "2026-09-30T16:00:00+08:00", "PT1H"])
    assert status == 2
    assert "unknown calendar 'silver'" in err and "gold" in err
