from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from baozhang.accounts.models import Role
from baozhang.staffing import services
from baozhang.staffing.models import Seat, Shift

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2026, 9, 14)  # an ordinary week, no holidays


def at(day: dt.date, hhmm: str, plus_days: int = 0) -> dt.datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=SH) + dt.timedelta(days=plus_days)


@pytest.fixture
def seats(personas: Any) -> list[Seat]:
    return [
        services.create_seat(personas.director, name=f"席位 {n}", extension=f"80{n}")
        for n in (1, 2, 3)
    ]


@pytest.fixture
def staff(personas: Any, user_factory: Callable[..., Any]) -> list[Any]:
    names = ["li", "wang", "zhang", "zhao", "chen"]
    return [user_factory(personas.operator, [Role.AGENT], username=n) for n in names]


@pytest.fixture
def roster(personas: Any, seats: list[Seat], staff: list[Any]) -> Callable[..., list[Shift]]:
    """Two people on each day shift (09:00-18:00), one at night (18:00-09:00), every day
    from ``first`` for ``days`` days, and the night before ``first``."""

    def make(first: dt.date = MONDAY, days: int = 7) -> list[Shift]:
        li, wang, zhang, zhao, chen = staff
        out = []
        add = services.add_shift
        d = personas.director
        out.append(
            add(d, person=chen, seat=seats[2], start=at(first, "18:00", -1), end=at(first, "09:00"))
        )
        for n in range(days):
            day = first + dt.timedelta(days=n)
            a, b = ((li, wang), (zhang, zhao))[n % 2]
            night = (chen, li, wang, zhang, zhao)[n % 5]
            out.append(
                add(d, person=a, seat=seats[0], start=at(day, "09:00"), end=at(day, "18:00"))
            )
            out.append(
                add(d, person=b, seat=seats[1], start=at(day, "09:00"), end=at(day, "18:00"))
            )
            out.append(
                add(d, person=night, seat=seats[2], start=at(day, "18:00"), end=at(day, "09:00", 1))
            )
        return out

    return make
