from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from baozhang.desk import services
from baozhang.desk.models import Group, Level, Ticket

CST = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def groups(personas: Any) -> dict[int, Group]:
    """A group for each level of the chain, with the matching personas as members."""
    made = {}
    for level, member in (
        (Level.CUSTOMER_SERVICE, personas.agent),
        (Level.TECHNICAL, personas.engineer),
        (Level.COMPLAINT_ADMIN, personas.director),
        (Level.SERVICE_DIRECTOR, personas.director),
    ):
        group = Group.objects.create(name=f"L{level}", level=level)
        group.members.add(member)
        made[level] = group
    return made


@pytest.fixture
def ticket_factory(personas: Any) -> Callable[..., Ticket]:
    def make(**kw: Any) -> Ticket:
        kw.setdefault("customer", personas.org_a)
        kw.setdefault("kind", "fault")
        kw.setdefault("subject", "网站无法访问 Site down")
        kw.setdefault("contact", personas.contact_a)
        kw.setdefault("now", dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST))
        return services.open_ticket(None, **kw)

    return make
