"""quality/statistics.py: each statistic that exists, by (period, scope), equal to a hand
calculation and to the one implementation the area's own page shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from baozhang.incidents import services as incidents
from baozhang.monitoring.tests.test_figures import D0, D1, MIN, a_day_of_checks, monitor  # noqa: F401
from baozhang.quality import desk_measures as desk
from baozhang.quality import statistics
from baozhang.quality.statistics import Period, Scope
from baozhang.quality.tests.test_desk_measures import answered_three  # noqa: F401
from baozhang.sla.models import Review


def test_a_period_is_aware_and_not_empty() -> None:
    now = timezone.now()
    with pytest.raises(ValueError, match="must be after"):
        Period(now, now)
    with pytest.raises(ValueError, match="aware"):
        Period(dt.datetime(2026, 10, 1), dt.datetime(2026, 11, 1))  # noqa: DTZ001


def test_fault_statistics_count_and_sum_the_period_per_class(personas, incident_factory):
    # Given two server disconnections of the day, restored after 20 and 50 minutes, and one
    # before the period
    now = timezone.now()
    start = now - dt.timedelta(days=1)
    for ago, lasted in ((100, 20), (90, 50)):
        fault = incident_factory(detected_at=now - dt.timedelta(minutes=ago))
        incidents.resolve(
            personas.agent,
            fault,
            cause="",
            resolution="ok",
            at=fault.detected_at + dt.timedelta(minutes=lasted),
        )
    incident_factory(detected_at=start - dt.timedelta(minutes=1))

    # When quality counts the faults of the period for the whole platform
    rows = {r["classification"]: r for r in statistics.fault_statistics(Period(start, now))}

    # Then 2 faults, 20 + 50 = 70 minutes; the one before the period is not counted
    assert rows["server_disconnection"]["count"] == 2
    assert rows["server_disconnection"]["duration"] == dt.timedelta(minutes=70)
    assert sum(r["count"] for r in rows.values()) == 2


def test_fault_statistics_are_the_whole_platforms(personas):
    now = timezone.now()
    with pytest.raises(ValueError, match="whole platform"):
        statistics.fault_statistics(Period(now - dt.timedelta(days=1), now), Scope(personas.agent))


def test_availability_and_integrity_of_a_day_with_30_minutes_down(personas, monitor):  # noqa: F811
    # Given a day of checks every minute, 10:00 to 10:30 failing, two checks missed
    a_day_of_checks(monitor, set(range(600, 630)), skipped={10, 11})
    period, scope = Period(D0, D1), Scope(personas.admin, monitor_ids=(monitor.pk,))

    # When quality reads the monitor's availability and 完好率 of the day
    [(monitor_id, availability)] = statistics.availability(period, scope, now=D1 + MIN).items()
    [(_, integrity)] = statistics.integrity(period, scope, now=D1 + MIN).items()

    # Then down 30 minutes of the 86 393 s observed (the first 7 s, before the first
    # check, are not), and 1440 − 30 failed − 2 missed = 1408 of 1440 periods normal
    assert monitor_id == monitor.pk
    assert availability.downtime == dt.timedelta(minutes=30)
    observed = 86_400 - 7
    assert availability.percent == Decimal(observed - 1800) / Decimal(observed) * 100
    assert (integrity.periods, integrity.abnormal) == (1440, 32)
    assert integrity.percent == Decimal(1408) / Decimal(1440) * 100


def test_figures_of_monitors_are_read_as_a_person_sees_them(personas, monitor):  # noqa: F811
    period = Period(D0, D1)
    with pytest.raises(ValueError, match="name the person"):
        statistics.availability(period, Scope(monitor_ids=(monitor.pk,)))
    # A customer's contact sees no monitor of the operator's
    assert statistics.availability(period, Scope(personas.contact_b), now=D1 + MIN) == {}


def test_desk_measures_median_first_response_of_10_20_and_40_minutes_is_20(
    personas,
    answered_three,  # noqa: F811
):
    # Given three tickets answered after 10, 20 and 40 minutes (October)
    october = Period(*desk.period_bounds(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))

    # When quality reads the agent's desk measures of October
    measures = statistics.desk_measures(october, Scope(personas.agent))

    # Then the median is 20 minutes and the 90th percentile 20 + 0.8 × 20 = 36 minutes
    data = desk.measures_dict(measures)
    assert data["totals"]["first_response"]["median_seconds"] == 20 * 60
    assert data["totals"]["first_response"]["p90_seconds"] == 36 * 60


def _review(agreement: Any, start: dt.datetime, end: dt.datetime, **kw: Any) -> Review:
    return Review.objects.create(agreement=agreement, period_start=start, period_end=end, **kw)


def test_agreement_figures_are_the_evaluated_reviews_of_the_period(personas, agreement_factory):
    # Given October's review evaluated (one target missed, 10 % credit of 10 000), an
    # unevaluated one, and September's
    agreement = agreement_factory()
    oct1 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
    nov1 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    verdicts = [{"target": "availability", "met": False}]
    _review(
        agreement,
        oct1,
        nov1,
        evaluated_at=nov1,
        all_met=False,
        credit_percent=Decimal("10"),
        credit_amount=Decimal("1000.00"),
        verdicts=verdicts,
    )
    _review(agreement, oct1 + dt.timedelta(days=1), nov1)
    _review(agreement, oct1 - dt.timedelta(days=30), oct1, evaluated_at=oct1, all_met=True)

    # When quality reads the agreement figures of October for the director and customer B
    figures = statistics.agreement_figures(Period(oct1, nov1), Scope(personas.director))
    theirs = statistics.agreement_figures(Period(oct1, nov1), Scope(personas.contact_b))

    # Then October's evaluated review alone, its credit 10 % × 10 000 = 1 000; customer B
    # reads nothing of customer A's
    [october] = figures
    assert (october["period_start"], october["period_end"]) == (oct1, nov1)
    assert october["all_met"] is False
    assert october["credit_amount"] == Decimal("10") / 100 * agreement.monthly_fee
    assert october["verdicts"] == verdicts
    assert theirs == []
