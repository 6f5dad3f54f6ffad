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
    summarise,
)
from baozhang.sla.models import Review, Target, TargetKind

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
    elif kind == TargetKind.MAX_GAP:
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
    if target.kind == TargetKind.MAX_GAP:
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


def _verdict_json(target: Target, verdict: Verdict | None, reason: str = "") -> dict[str, Any]:
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
    }


def evaluate_review(review: Review, *, now: dt.datetime) -> Review:
    """Evaluate every target of the review's agreement over the review's period and store
    the verdicts, the summary and the credit on the (unsaved) review."""
    agreement = review.agreement
    period = Period(
        start=review.period_start,
        end=review.period_end,
        label=f"{review.period_start:%Y-%m-%d}–{review.period_end:%Y-%m-%d}",
    )
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
    verdicts: list[Verdict] = []
    rows: list[dict[str, Any]] = []
    for target in agreement.targets.prefetch_related("tiers"):
        data, reason = _target_data(target, period, downtime, exclusions, now)
        if data is None:
            rows.append(_verdict_json(target, None, reason))
            continue
        verdict = evaluate(
            target_spec(target),
            period,
            data,
            calendar=calendar_for(target.calendar_key),
            fee=fee,
            now=now,
        )
        verdicts.append(verdict)
        rows.append(_verdict_json(target, verdict))
    summary = summarise(verdicts) if verdicts else None
    review.verdicts = rows
    if summary is None or any(r["met"] is None for r in rows):
        # A target that could not be measured leaves the overall answer open.
        review.all_met = False if summary is not None and summary.all_met is False else None
    else:
        review.all_met = summary.all_met
    review.credit_percent = summary.credit_percent if summary else Decimal(0)
    review.credit_amount = summary.credit_amount if summary else Decimal("0.00")
    review.evaluated_at = now
    return review
