"""Work orders are warned before their time limit and escalated after it, once each, to
the team and the level above (issue 19 §3)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.notify import services as notify
from baozhang.notify.models import Message
from baozhang.upkeep import services
from baozhang.upkeep.models import WorkOrder
from baozhang.upkeep.tasks import check_time_limits

SH = ZoneInfo("Asia/Shanghai")


def _channel(admin, user):
    return notify.create_channel(
        admin,
        name=f"{user.username} hook",
        kind="webhook",
        user=user,
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )


def test_warned_before_and_escalated_after_the_time_limit(ups_plan, personas, engineer2):
    for person in (personas.engineer, engineer2, personas.director):
        _channel(personas.admin, person)
    ups_plan()
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    december = WorkOrder.objects.get(period_start=dt.date(2026, 12, 1))
    november = WorkOrder.objects.get(period_start=dt.date(2026, 11, 1))
    # 10 December, 06:00: December's limit (11 December 00:00) is 18 hours away;
    # November's (11 November) has passed.
    now = dt.datetime(2026, 12, 10, 6, tzinfo=SH)
    assert check_time_limits(now) == (1, 1)
    assert check_time_limits(now) == (0, 0)
    warned = Message.objects.filter(template_key="upkeep_warning")
    assert [m.channel.user for m in warned] == [personas.engineer]
    assert december.reference in warned[0].subject
    late = Message.objects.filter(template_key="upkeep_overdue")
    assert {m.channel.user for m in late} == {personas.engineer, engineer2, personas.director}
    assert all(november.reference in m.subject for m in late)
    warned_event = Event.objects.get(object_id=str(december.pk), after__warned=True)
    assert reads(warned_event) == ("工单时限预警", "work order time limit near")
    late_event = Event.objects.get(object_id=str(november.pk), after__escalated=True)
    assert reads(late_event) == ("工单超时，已升级", "work order past its time limit, escalated")
