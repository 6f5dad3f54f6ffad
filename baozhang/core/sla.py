"""SLA evaluation: one agreement target over one measuring period. No Django, no I/O, no
clock.

:func:`evaluate` judges a :class:`TargetSpec` over a :class:`Period` from plain
:class:`TargetData` on a business :class:`~baozhang.core.calendar.Calendar`, as seen at
``now``, and returns a :class:`Verdict`: met or missed (or None when not measurable, with
the reason), the figure against the objective, the time that counted, the exclusions
(shown, never hidden), evidence lines in English and Chinese, and the service credit due
under the penalty tiers. :func:`summarise` adds up the verdicts of one agreement's period.

Example: October 2026 has 31 days (44,640 min); 45 min of downtime on 24x7 gives
availability 99.8991 %, below an objective of 99.9 %; with tiers "below 99.9 → 10 %,
below 99 → 25 %" the credit is 10 % of the fee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from baozhang.core.calendar import Calendar
from baozhang.core.intervals import Interval, business_total, clip, complement, merge
from baozhang.core.sla_kinds import EVALUATORS, Outcome, Window, exclusion_lines, seconds
from baozhang.core.sla_text import ExclusionKind, bilingual, duration_text, money_text, number_text
from baozhang.core.sla_types import (
    Aggregate,
    ClockSample,
    CountSample,
    PenaltyTier,
    Period,
    TargetData,
    TargetKind,
    TargetSpec,
    Unit,
    Verdict,
    check_decimal,
    check_time,
)

__all__ = [
    "Aggregate",
    "ClockSample",
    "CountSample",
    "ExclusionKind",
    "Interval",
    "PenaltyTier",
    "Period",
    "Summary",
    "TargetData",
    "TargetKind",
    "TargetSpec",
    "Unit",
    "Verdict",
    "evaluate",
    "month_period",
    "quarter_period",
    "summarise",
    "year_period",
]

_ZERO = dt.timedelta(0)
_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
# Kinds judged on intervals of time: for them, unobserved time is excluded.
_OBSERVED_KINDS = frozenset(
    {TargetKind.AVAILABILITY, TargetKind.MAX_DOWNTIME, TargetKind.SUPPORT_HOURS}
)
_UNITS = {
    TargetKind.AVAILABILITY: Unit.PERCENT,
    TargetKind.RESPONSE_TIME: Unit.PERCENT,
    TargetKind.MAX_DOWNTIME: Unit.SECONDS,
    TargetKind.SUPPORT_HOURS: Unit.SECONDS,
    TargetKind.MAX_GAP: Unit.SECONDS,
    TargetKind.FREQUENCY_SHARE: Unit.PERCENT,
    TargetKind.MIN_COUNT: Unit.COUNT,
}


def _bad(en: str, zh: str) -> ValueError:
    return ValueError(bilingual(en, zh))


def _check_facts(target: TargetSpec, period: Period, data: TargetData, now: dt.datetime) -> None:
    """Facts dated after ``now`` cannot be known at ``now``; a clock's priority needs a
    limit. Intervals reaching past ``now`` are fine (they are cut at ``now``)."""
    iso = now.isoformat()
    for clock in data.clocks if target.kind is TargetKind.RESPONSE_TIME else ():
        if clock.priority not in target.limits:
            known = ", ".join(target.limits)
            raise _bad(
                f"clock #{clock.item_id} has priority {clock.priority!r} with no limit "
                f"(limits exist for: {known})",
                f"计时 #{clock.item_id} 的优先级 {clock.priority!r} 没有时限（已有时限：{known}）",
            )
        last = clock.stopped_at or clock.started_at
        if last > now:
            raise _bad(
                f"clock #{clock.item_id} has an event at {last.isoformat()}, after now {iso}",
                f"计时 #{clock.item_id} 有晚于当前时间 {iso} 的事件 {last.isoformat()}",
            )
    for t in (*data.heartbeats, *(c.at for c in data.counts)):
        if t > now:
            raise _bad(
                f"sample or heartbeat at {t.isoformat()} is after now {iso}",
                f"样本或心跳时间 {t.isoformat()} 晚于当前时间 {iso}",
            )
    last_before = data.last_heartbeat_before
    if last_before is not None and last_before >= period.start:
        raise _bad(
            f"last heartbeat before the period {last_before.isoformat()} is not before the "
            f"period's start {period.start.isoformat()}",
            f"周期前最后一次心跳 {last_before.isoformat()} 不早于周期开始 "
            f"{period.start.isoformat()}",
        )


def _objective(target: TargetSpec) -> Decimal:
    obj = target.objective
    return seconds(obj) if isinstance(obj, dt.timedelta) else Decimal(obj or 0)


def _credit(target: TargetSpec, outcome: Outcome) -> tuple[Decimal, str, str]:
    """(credit percent, why in English, why in Chinese): the worst tier reached, else the
    flat credit of a missed target, else nothing."""
    if outcome.met is None or outcome.exact is None:
        return Decimal(0), "not measurable", "无法计量"
    reached = [t for t in target.tiers if outcome.exact < t.below]
    if reached:
        tier = reached[-1]  # tiers are ordered by falling threshold
        below = number_text(tier.below)
        return tier.credit_percent, f"tier below {below} %", f"低于 {below}% 档"
    if outcome.met is False and target.flat_credit > 0:
        return target.flat_credit, "target missed", "未达标"
    return Decimal(0), "", ""


def evaluate(
    target: TargetSpec,
    period: Period,
    data: TargetData,
    *,
    calendar: Calendar,
    fee: Decimal,
    now: dt.datetime,
) -> Verdict:
    """Judge ``target`` over ``period`` from ``data`` on ``calendar``, as seen at ``now``.

    Only the part of the period before ``now`` is judged (an interim verdict while the
    period runs, ``final=True`` once it has ended); intervals are cut to that part.
    ``calendar`` is the target's calendar: availability and downtime count only its open
    time (24x7 counts all), clocks and gaps are business time on it. ``fee`` is the period
    fee the credit is a percentage of.

    ``met`` is None, with the reason, if the period has not started at ``now``, if no
    service time is left after exclusions, if there are no count samples, or if no clock
    has stopped or passed its limit. Raises ValueError for wrong types, a negative or
    float fee, a naive ``now``, facts dated after ``now``, a clock whose priority has no
    limit, or a last heartbeat that is not before the period.
    """
    for value, cls, what in (
        (target, TargetSpec, "target"),
        (period, Period, "period"),
        (data, TargetData, "data"),
        (calendar, Calendar, "calendar"),
    ):
        if not isinstance(value, cls):
            raise _bad(
                f"{what} must be a {cls.__name__}, got {value!r}",
                f"{what} 必须是 {cls.__name__}，实际为 {value!r}",
            )
    fee = check_decimal(fee, "fee", Decimal(0))
    now = check_time(now, "now")
    _check_facts(target, period, data, now)
    kind = target.kind
    unit = _UNITS[kind]
    if now <= period.start:
        reason = bilingual(
            f"not measurable: the period starts {period.start.isoformat()}, after now",
            f"无法计量：周期开始于 {period.start.isoformat()}，尚未到来",
        )
        return Verdict(
            kind, target.name, None, reason, None, unit, _objective(target), _ZERO, (), _ZERO,
            0, Decimal(0), Decimal("0.00"), fee, False, False, (reason,),
        )  # fmt: skip
    end = min(period.end, now)
    excluded = list(clip(data.exclusions, period.start, end))
    if data.observed is not None and kind in _OBSERVED_KINDS:
        excluded += complement(
            data.observed, period.start, end, ExclusionKind.NOT_OBSERVED, "no data / 无数据"
        )
    excluded.sort()
    span = calendar.between(period.start, end)
    excl = business_total(merge(excluded), calendar)
    window = Window(
        target, data, calendar, period.start, end, period.end, now, tuple(excluded),
        excl.duration, span.duration - excl.duration, span.provisional or excl.provisional,
    )  # fmt: skip
    outcome = EVALUATORS[kind](window)
    credit, why_en, why_zh = _credit(target, outcome)
    amount = (fee * credit / _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)
    men, mzh = duration_text(window.measured)
    sen, szh = duration_text(span.duration)
    xen, xzh = duration_text(excl.duration)
    lines = [
        outcome.reason,
        bilingual(
            f"measured {men} = {sen} of service time on {calendar.name} − {xen} excluded",
            f"计量时间 {mzh} = {calendar.name} 服务时间 {szh} − 免责 {xzh}",
        ),
        *exclusion_lines(window),
        *outcome.evidence,
    ]
    if credit:
        pct, fee_t, amt = number_text(credit), money_text(fee), money_text(amount)
        lines.append(
            bilingual(
                f"credit {pct} % of fee {fee_t} = {amt} ({why_en})",
                f"赔偿 费用 {fee_t} 的 {pct}% = {amt}（{why_zh}）",
            )
        )
    if window.provisional:
        lines.append(
            bilingual(
                "provisional: the calendar has no holiday data for part of the period",
                "暂定：日历缺少本周期部分年份的节假日数据",
            )
        )
    return Verdict(
        kind, target.name, outcome.met, outcome.reason, outcome.figure, unit, outcome.objective,
        window.measured, window.excluded, window.excluded_time, outcome.count, credit, amount,
        fee, window.provisional, now >= period.end, tuple(lines),
    )  # fmt: skip


class Summary(NamedTuple):
    """The verdicts of one agreement's period together.

    ``all_met``: False if any target was missed, else None if any was not measurable (or
    there were no verdicts), else True. ``credit_percent``: the sum of the credits,
    capped at 100. ``credit_amount``: that percentage of the fee, to the cent.
    """

    all_met: bool | None
    credit_percent: Decimal
    credit_amount: Decimal


def summarise(verdicts: Iterable[Verdict]) -> Summary:
    """Add up verdicts that share one fee (one agreement, one period).

    Raises ValueError if the verdicts were computed with different fees: percentages of
    different fees do not add up.
    """
    items = list(verdicts)
    fees = {v.fee for v in items}
    if len(fees) > 1:
        shown = ", ".join(sorted(money_text(f) for f in fees))
        raise _bad(
            f"verdicts have different fees ({shown}); summarise one agreement's period at a time",
            f"各结论的费用不同（{shown}）；请逐个协议周期汇总",
        )
    if not items:
        return Summary(None, Decimal(0), Decimal("0.00"))
    mets = [v.met for v in items]
    all_met: bool | None = False if False in mets else (None if None in mets else True)
    credit = min(_HUNDRED, sum((v.credit_percent for v in items), Decimal(0)))
    amount = (items[0].fee * credit / _HUNDRED).quantize(_CENT, rounding=ROUND_HALF_UP)
    return Summary(all_met, credit, amount)


def _zone(tz: str | dt.tzinfo) -> dt.tzinfo:
    if isinstance(tz, dt.tzinfo):
        return tz
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise _bad(
            f"unknown time zone {tz!r} (expected an IANA name such as Asia/Shanghai)",
            f"未知时区 {tz!r}（应为 IANA 名称，如 Asia/Shanghai）",
        ) from None


def _check_int(value: object, what: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise _bad(
            f"{what} {value!r} must be a whole number in {lo}..{hi}",
            f"{what} {value!r} 必须是 {lo}..{hi} 之间的整数",
        )
    return value


def _months(year: int, month: int, count: int, tz: str | dt.tzinfo, label: str) -> Period:
    zone = _zone(tz)
    start = dt.datetime(year, month, 1, tzinfo=zone)
    y, m = divmod(month - 1 + count, 12)
    end = dt.datetime(year + y, m + 1, 1, tzinfo=zone)
    return Period(start, end, label)


def month_period(year: int, month: int, tz: str | dt.tzinfo) -> Period:
    """The calendar month from local midnight of its first day to that of the next month's,
    labelled ``"2026-10"``. Across a daylight-saving change the period is an hour longer
    or shorter, as the local clock says."""
    _check_int(year, "year", 1970, 2100)
    _check_int(month, "month", 1, 12)
    return _months(year, month, 1, tz, f"{year:04d}-{month:02d}")


def quarter_period(year: int, quarter: int, tz: str | dt.tzinfo) -> Period:
    """Quarter 1-4 of ``year`` in local time, labelled ``"2026-Q4"``."""
    _check_int(year, "year", 1970, 2100)
    _check_int(quarter, "quarter", 1, 4)
    return _months(year, 3 * quarter - 2, 3, tz, f"{year:04d}-Q{quarter}")


def year_period(year: int, tz: str | dt.tzinfo) -> Period:
    """The calendar year in local time, labelled ``"2026"``."""
    _check_int(year, "year", 1970, 2100)
    return _months(year, 1, 12, tz, f"{year:04d}")
