"""Feeding core's SLA evaluation from the database: the recorded downtime, the exclusions,
the observations, and the target's calendar. The rules themselves live in baozhang.core.sla.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q

from baozhang.calendars.selectors import calendar_for
from baozhang.core.calendar_iso import parse_duration
from baozhang.core.intervals import Interval
from baozhang.core.sla import (
    Aggregate,
    ClockSample,
    CountSample,
    PenaltyTier,
    Period,
    TargetData,
    TargetSpec,
    Verdict,
    evaluate,
    month_period,
    quarter_period,
    year_period,
)
from baozhang.monitoring.figures import target_measurements
from baozhang.sla.models import FREQUENCY_KINDS, Review, Target, TargetKind

_CENT = Decimal("0.01")


def validate_target(target: Target, tiers: list[dict[str, Any]]) -> None:
    """Refuse a target core could not evaluate: an unknown calendar, an objective, limits or
    tiers that do not fit the kind. Raises ValidationError per field."""
    try:
        calendar_for(target.calendar_key)
    except KeyError as exc:
        raise ValidationError({"calendar_key": str(exc.args[0])}) from None
    try:
        parsed = [
            PenaltyTier(
                below=Decimal(str(t["threshold"])), credit_percent=Decimal(str(t["credit_percent"]))
            )
            for t in tiers
        ]
    except (ArithmeticError, KeyError, ValueError) as exc:
        raise ValidationError({"tiers": str(exc)}) from None
    target_spec(target, parsed)


def target_spec(target: Target, tiers: list[PenaltyTier] | None = None) -> TargetSpec:
    """The core description of a target. Raises ValidationError (per field) when the
    objective, limits or tiers do not fit the kind, so a bad target is refused on entry."""
    kind = TargetKind(target.kind)
    objective: Any = target.objective
    if kind == TargetKind.MAX_DOWNTIME or kind == TargetKind.SUPPORT_HOURS:
        objective = dt.timedelta(minutes=float(target.objective))
    elif kind in FREQUENCY_KINDS:
        objective = dt.timedelta(hours=float(target.objective))
    try:
        limits = {p: parse_duration(v) for p, v in (target.priority_limits or {}).items()}
    except ValueError as exc:
        raise ValidationError({"priority_limits": str(exc)}) from None
    if tiers is None:
        tiers = [
            PenaltyTier(below=t.threshold, credit_percent=t.credit_percent)
            for t in target.tiers.all()
        ]
    try:
        return TargetSpec(
            kind=kind.value,
            objective=objective,
            limits=limits,
            aggregate=Aggregate(target.aggregate or "max"),
            tiers=tiers,
            flat_credit=target.missed_credit_percent,
            name=target.name,
        )
    except ValueError as exc:
        raise ValidationError({"objective": str(exc)}) from None


def period_fee(monthly_fee: Decimal, start: dt.datetime, end: dt.datetime) -> Decimal:
    """The fee of a review period: the monthly fee for each calendar month it covers, and
    the matching share of a month it covers in part (months in the operator's zone)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start, end = start.astimezone(tz), end.astimezone(tz)
    fee = Decimal(0)
    month = dt.datetime(start.year, start.month, 1, tzinfo=tz)
    while month < end:
        following = dt.datetime(month.year + month.month // 12, month.month % 12 + 1, 1, tzinfo=tz)
        overlap = min(end, following) - max(start, month)
        if overlap > dt.timedelta(0):
            share = Decimal(overlap // dt.timedelta(seconds=1)) / Decimal(
                (following - month) // dt.timedelta(seconds=1)
            )
            fee += monthly_fee * share
        month = following
    return fee.quantize(_CENT, rounding=ROUND_HALF_UP)


def _clock_samples(target: Target, period: Period) -> list[ClockSample]:
    """The desk's clocks of this kind for the agreement's customer that started in the
    period, with their pauses (waiting for the customer)."""
    from baozhang.desk.models import Clock

    samples = []
    clocks = Clock.objects.filter(
        kind=target.clock,
        ticket__customer_id=target.agreement.customer_id,
        started_at__gte=period.start,
        started_at__lt=period.end,
    ).select_related("ticket")
    for clock in clocks:
        paused = [
            Interval(
                dt.datetime.fromisoformat(a),
                dt.datetime.fromisoformat(b) if b else period.end,
                "paused",
            )
            for a, b in clock.pauses
            if (dt.datetime.fromisoformat(b) if b else period.end) > dt.datetime.fromisoformat(a)
        ]
        samples.append(
            ClockSample(
                item_id=clock.ticket.reference,
                priority=clock.ticket.priority,
                started_at=clock.started_at,
                stopped_at=clock.stopped_at,
                paused=paused,
            )
        )
    return samples


def _uncovered(period: Period, now: dt.datetime) -> tuple[list[Interval] | None, str]:
    """Times the duty roster left uncovered in the period, from the staffing check; None
    with the reason when the roster cannot tell (no shifts recorded, a window too long)."""
    from baozhang.staffing.selectors import coverage_report, shifts_between

    end = min(period.end, now)
    if not shifts_between(period.start, end).exists():
        return None, "no duty roster recorded for the period / 该期间无值班表记录"
    try:
        report = coverage_report(period.start, end, now)
    except (ValueError, KeyError) as exc:
        return None, str(exc)
    return [
        Interval(g.start, g.end, "uncovered", f"{g.missing} missing") for g in report.report.gaps
    ], ""


def _target_data(
    target: Target,
    period: Period,
    downtime: list[Interval],
    exclusions: list[Interval],
    now: dt.datetime,
) -> tuple[TargetData | None, str]:
    """The data that measures `target` over `period`, or None with the reason when the
    platform holds none (never a made-up "met")."""
    if target.kind == TargetKind.RESPONSE_TIME:
        if not target.clock:
            return None, "the target names no ticket clock / 指标未指定工单计时"
        return TargetData(exclusions=exclusions, clocks=_clock_samples(target, period)), ""
    if target.kind == TargetKind.SUPPORT_HOURS:
        uncovered, reason = _uncovered(period, now)
        if uncovered is None:
            return None, reason
        return TargetData(exclusions=exclusions, uncovered=uncovered), ""
    observations = target.observations.all()
    if target.kind == TargetKind.MIN_COUNT:
        counts = [
            CountSample(at=o.at, value=o.value)
            for o in observations.filter(at__gte=period.start, at__lt=period.end)
            if o.value is not None
        ]
        return TargetData(exclusions=exclusions, counts=counts), ""
    if target.kind in FREQUENCY_KINDS:
        beats = list(
            observations.filter(at__gte=period.start, at__lt=period.end).values_list(
                "at", flat=True
            )
        )
        before = observations.filter(at__lt=period.start).order_by("-at").first()
        return TargetData(
            exclusions=exclusions,
            heartbeats=beats,
            last_heartbeat_before=before.at if before else None,
        ), ""
    return TargetData(downtime=downtime, exclusions=exclusions), ""


def _verdict_json(
    target: Target, verdict: Verdict | None, reason: str = "", period_label: str = ""
) -> dict[str, Any]:
    if verdict is None:
        return {
            "target": target.pk,
            "name": target.name,
            "kind": target.kind,
            "met": None,
            "reason": reason,
            "figure": None,
            "objective": str(target.objective.normalize()),
            "unit": "",
            "excluded": [],
            "evidence": [reason],
            "credit_percent": "0",
            "credit_amount": "0.00",
            "provisional": False,
            "final": True,
        }
    return {
        "target": target.pk,
        "name": target.name,
        "kind": target.kind,
        "met": verdict.met,
        "reason": verdict.reason,
        "figure": None if verdict.figure is None else str(verdict.figure),
        "objective": str(verdict.objective),
        "unit": str(verdict.unit),
        "measured_seconds": int(verdict.measured.total_seconds()),
        "excluded_seconds": int(verdict.excluded_time.total_seconds()),
        "excluded": [
            f"{x.start.astimezone(ZoneInfo(settings.TIME_ZONE)):%Y-%m-%d %H:%M} → "
            f"{x.end.astimezone(ZoneInfo(settings.TIME_ZONE)):%Y-%m-%d %H:%M} "
            f"({int(x.duration.total_seconds() // 60)} min) {x.kind}: {x.reason}"
            for x in verdict.excluded
        ],
        "count": verdict.count,
        "evidence": list(verdict.evidence),
        "credit_percent": str(verdict.credit_percent),
        "credit_amount": str(verdict.credit_amount),
        "provisional": verdict.provisional,
        "final": verdict.final,
        "period": period_label,
    }


def measuring_periods(kind: str, start: dt.datetime, end: dt.datetime) -> list[Period]:
    """The target's measuring periods (months, quarters or years in the operator's zone)
    that the review span touches, each clipped to the span: a "60 minutes a month" target
    over a quarter is judged month by month, not on the quarter's total."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local = start.astimezone(tz)
    year, month = local.year, local.month
    periods: list[Period] = []
    while True:
        if kind == "year":
            whole = year_period(year, tz)
            year += 1
        elif kind == "quarter":
            quarter = (month - 1) // 3 + 1
            whole = quarter_period(year, quarter, tz)
            month = quarter * 3 + 1
        else:
            whole = month_period(year, month, tz)
            month += 1
        if month > 12:
            year, month = year + 1, month - 12
        if whole.start >= end:
            break
        clipped = Period(start=max(whole.start, start), end=min(whole.end, end), label=whole.label)
        if clipped.end > clipped.start:
            periods.append(clipped)
        if whole.end >= end:
            break
    return periods


def _combine(target: Target, parts: list[tuple[Period, Verdict]]) -> dict[str, Any]:
    """One row per target: its measuring periods' verdicts side by side, met only if every
    period was, the credits added up, the figure of the worst period shown."""
    rows = [_verdict_json(target, v, period_label=p.label) for p, v in parts]
    if len(rows) == 1:
        return rows[0]
    met_values = [v.met for _p, v in parts]
    met = False if False in met_values else (None if None in met_values else True)
    credit = sum((v.credit_amount for _p, v in parts), Decimal(0))
    fee = sum((v.fee for _p, v in parts), Decimal(0))
    measured = [r for r in rows if r["figure"] is not None]
    combined = dict(min(measured, key=lambda r: Decimal(r["figure"])) if measured else rows[0])
    combined.update(
        met=met,
        excluded=[line for r in rows for line in r["excluded"]],
        evidence=[f"[{r['period']}] {line}" for r in rows for line in r["evidence"]],
        credit_amount=str(credit.quantize(_CENT)),
        credit_percent=str((credit / fee * 100).quantize(_CENT) if fee else Decimal(0)),
        periods=[{k: r[k] for k in ("period", "met", "figure", "credit_amount")} for r in rows],
    )
    return combined


def evaluate_review(review: Review, *, now: dt.datetime) -> Review:
    """Evaluate every target of the review's agreement over the review's period and store
    the verdicts, the summary and the credit on the (unsaved) review."""
    agreement = review.agreement
    fee = period_fee(agreement.monthly_fee, review.period_start, review.period_end)
    overlapping = Q(start__lt=review.period_end, end__gt=review.period_start)
    downtime = [
        Interval(d.start, d.end, "downtime", d.description)
        for d in agreement.downtimes.filter(overlapping)
    ]
    exclusions = [
        Interval(x.start, x.end, x.clause.kind, x.reason)
        for x in agreement.exclusions.filter(overlapping).select_related("clause")
    ]
    rows: list[dict[str, Any]] = []
    total_credit = Decimal(0)
    open_answer = False
    any_missed = False
    for target in agreement.targets.prefetch_related("tiers"):
        parts: list[tuple[Period, Verdict]] = []
        reason = ""
        measured = target_measurements(target.pk, review.period_start, review.period_end, now=now)
        t_downtime, t_exclusions = downtime, exclusions
        if measured is not None:  # the monitors feeding it measure it too (issue 5)
            t_downtime, t_exclusions = downtime + measured[0], exclusions + measured[1]
        for part in measuring_periods(target.period, review.period_start, review.period_end):
            data, reason = _target_data(target, part, t_downtime, t_exclusions, now)
            if data is None:
                break
            verdict = evaluate(
                target_spec(target),
                part,
                data,
                calendar=calendar_for(target.calendar_key),
                fee=period_fee(agreement.monthly_fee, part.start, part.end),
                now=now,
            )
            parts.append((part, verdict))
        if not parts or reason:
            rows.append(_verdict_json(target, None, reason or "no period to measure"))
            open_answer = True
            continue
        row = _combine(target, parts)
        rows.append(row)
        total_credit += Decimal(row["credit_amount"])
        open_answer = open_answer or row["met"] is None
        any_missed = any_missed or row["met"] is False
    review.verdicts = rows
    # A target that could not be measured leaves the overall answer open, unless one missed.
    review.all_met = False if any_missed else (None if open_answer or not rows else True)
    credit = min(total_credit, fee) if fee else total_credit
    review.credit_amount = credit.quantize(_CENT)
    review.credit_percent = (credit / fee * 100).quantize(_CENT) if fee else Decimal(0)
    review.evaluated_at = now
    return review
