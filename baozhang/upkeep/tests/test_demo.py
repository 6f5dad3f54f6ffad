"""The demo has a monthly UPS plan with its work orders, one recorded and accepted by a
second person, the next one to do."""

from __future__ import annotations

from typing import Any

from baozhang.demo import load_demo
from baozhang.upkeep.models import OrderStatus, Plan


def test_the_demo_has_a_monthly_ups_plan_with_one_work_order_accepted(db: Any) -> None:
    load_demo()
    plan = Plan.objects.get(period="monthly")
    assert plan.assets.get().kind == "ups"
    orders = list(plan.work_orders.order_by("period_start"))
    assert len(orders) >= 2
    done = orders[0]
    assert done.status == OrderStatus.ACCEPTED
    assert done.performed_by.username == "engineer" and done.accepted_by.username == "director"
    assert [r.outcome for r in done.records.get().readings.all()] == ["pass"] * 4
    assert orders[-1].status == OrderStatus.OPEN
