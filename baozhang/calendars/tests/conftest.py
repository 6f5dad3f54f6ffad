from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from baozhang.calendars import services
from baozhang.calendars.models import BusinessCalendar
from baozhang.calendars.selectors import clear_cache

WORK = "09:00-12:00 13:00-18:00"


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    clear_cache()  # a cached calendar of an earlier test may share this test's key and version
    yield
    clear_cache()


@pytest.fixture
def calendar_factory(db: Any) -> Callable[..., BusinessCalendar]:
    counter = {"n": 0}

    def make(**kw: Any) -> BusinessCalendar:
        counter["n"] += 1
        kw.setdefault("name", f"Calendar {counter['n']}")
        kw.setdefault("key", f"cal-{counter['n']}")
        kw.setdefault("base_schedule", "CN")
        for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
            kw.setdefault(day, WORK)
        return services.create_calendar(None, **kw)

    return make
