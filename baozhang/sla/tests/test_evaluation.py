"""A review evaluates every target from the recorded data; excluded time is shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from baozhang.sla import services

CST = dt.timezone(dt.timedelta(hours=8))
OCT = dt.datetime(2026, 10, 1, tzinfo=CST)
NOV = dt.datetime(2026, 11, 1, tzinfo=CST)


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=CST)


def test_45_minutes_down_in_october_misses_99_9_and_earns_a_10_percent_credit(
    personas, active_agreement
):
    services.record_downtime(
        personas.director,
        active_agreement,
        start=_at(3, 2, 10),
        end=_at(3, 2, 55),
        description="机房断电 power cut",
    )

    review = services.open_review(
        personas.director, active_agreement, period_start=OCT, period_end=NOV, now=NOV
    )

    verdict = review.verdicts[0]
    assert verdict["met"] is False
    assert Decimal(verdict["figure"]).quantize(Decimal("0.001")) == Decimal("99.899")
    assert review.all_met is False
    assert review.credit_percent == Decimal("10")
    assert review.credit_amount == Decimal("1000.00")


def test_announced_maintenance_is_excluded_and_shown(personas, active_agreement):
    services.record_downtime(
        personas.director,
        active_agreement,
        start=_at(3, 2, 10),
        end=_at(3, 2, 55),
        description="升级 upgrade",
    )
    clause = active_agreement.clauses.get()
    services.add_exclusion(
        personas.director,
        active_agreement,
        clause=clause,
        start=_at(3, 2, 10),
        end=_at(3, 2, 40),
        reason="公告的维护 announced",
    )

    review = services.open_review(
        personas.director, active_agreement, period_start=OCT, period_end=NOV, now=NOV
    )

    verdict = review.verdicts[0]
    assert verdict["met"] is True
    assert review.credit_amount == Decimal("0.00")
    assert verdict["excluded"], "excluded time must be shown"
    assert any("30" in line for line in verdict["excluded"])


def test_response_times_are_measured_from_the_desks_clocks(personas, active_agreement):
    from baozhang.desk import services as desk
    from baozhang.sla.models import Target

    target = Target.objects.create(
        agreement=active_agreement,
        name="首次响应 First response",
        kind="response_time",
        objective=Decimal("100"),
        clock="first_response",
        calendar_key="24x7",
        priority_limits={"P1": "PT15M", "P3": "PT2H"},
    )
    quick = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="fast", priority="P1", now=_at(5, 10)
    )
    desk.reply(personas.agent, quick, "on it", now=_at(5, 10, 10))
    slow = desk.open_ticket(
        None, customer=personas.org_a, kind="fault", subject="slow", priority="P1", now=_at(6, 10)
    )
    desk.reply(personas.agent, slow, "sorry", now=_at(6, 10, 40))

    review = services.open_review(
        personas.director, active_agreement, period_start=OCT, period_end=NOV, now=NOV
    )

    verdict = next(v for v in review.verdicts if v["target"] == target.pk)
    assert verdict["met"] is False
    assert Decimal(verdict["figure"]) == Decimal("50")
    assert any(slow.reference in line for line in verdict["evidence"])


def test_support_hours_without_a_roster_are_no_data_not_met(personas, active_agreement):
    from baozhang.sla.models import Target

    Target.objects.create(
        agreement=active_agreement,
        name="7x24",
        kind="support_hours",
        objective=Decimal("0"),
        calendar_key="24x7",
    )
    review = services.open_review(
        personas.director, active_agreement, period_start=OCT, period_end=NOV, now=NOV
    )
    verdict = next(v for v in review.verdicts if v["kind"] == "support_hours")
    assert verdict["met"] is None
    assert "roster" in verdict["reason"]


def test_a_monthly_target_is_judged_month_by_month_in_a_quarterly_review(
    personas, agreement_factory
):
    import datetime as dt

    agreement = agreement_factory(starts_on=dt.date(2026, 7, 1))
    services.add_target(
        personas.director,
        agreement,
        name="每月停机 ≤ 60 min",
        kind="max_downtime",
        objective=Decimal("60"),
        period="month",
        missed_credit_percent=Decimal("5"),
    )
    services.transition(personas.director, agreement, "negotiate")
    services.transition(personas.director, agreement, "activate")
    for month in (7, 8, 9):  # 50 minutes down in each month: every month within 60
        start = dt.datetime(2026, month, 10, 2, 0, tzinfo=CST)
        services.record_downtime(
            personas.director,
            agreement,
            start=start,
            end=start + dt.timedelta(minutes=50),
            description="升级",
        )

    q3 = services.open_review(
        personas.director,
        agreement,
        period_start=dt.datetime(2026, 7, 1, tzinfo=CST),
        period_end=dt.datetime(2026, 10, 1, tzinfo=CST),
        now=dt.datetime(2026, 10, 1, tzinfo=CST),
    )

    verdict = q3.verdicts[0]
    assert verdict["met"] is True
    assert [p["period"] for p in verdict["periods"]] == ["2026-07", "2026-08", "2026-09"]
    assert q3.credit_amount == Decimal("0.00")

    # 70 minutes in August alone misses August only: 5 % of August's fee
    start = dt.datetime(2026, 8, 20, 2, 0, tzinfo=CST)
    services.record_downtime(
        personas.director,
        agreement,
        start=start,
        end=start + dt.timedelta(minutes=20),
        description="再次升级",
    )
    q3 = services.open_review(
        personas.director,
        agreement,
        period_start=dt.datetime(2026, 7, 1, tzinfo=CST),
        period_end=dt.datetime(2026, 10, 1, tzinfo=CST),
        now=dt.datetime(2026, 10, 1, tzinfo=CST),
    )
    assert q3.verdicts[0]["met"] is False
    assert [p["met"] for p in q3.verdicts[0]["periods"]] == [True, False, True]
    assert q3.credit_amount == Decimal("500.00")
