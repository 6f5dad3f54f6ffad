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
