"""One evaluator per target kind; :func:`baozhang.core.sla.evaluate` is the entry point.

Each evaluator gets a :class:`Window` (the period up to ``now``, its exclusions and the
business time that counts) and returns an :class:`Outcome`: met, the exact and shown
figure, the objective in the same unit, a count and evidence lines. Credits are worked
out by the caller from the outcome.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Context, Decimal
from itertools import pairwise

from baozhang.core.calendar import Calendar
from baozhang.core.calendar_timer import Pause, Timer
from baozhang.core.frequency import interval_share
from baozhang.core.intervals import Interval, business_total, clip, merge, subtract
from baozhang.core.sla_text import (
    bilingual,
    duration_text,
    kind_text,
    limit_text,
    moment_text,
    number_text,
    span_text,
)
from baozhang.core.sla_types import (
    Aggregate,
    TargetData,
    TargetKind,
    TargetSpec,
    Unit,
)

__all__ = ["EVALUATORS", "Outcome", "Window", "percent", "seconds"]

_CTX = Context(prec=40)
_PLACES = Decimal("0.0001")
_US = dt.timedelta(microseconds=1)
_ZERO = dt.timedelta(0)


def seconds(td: dt.timedelta) -> Decimal:
    """``td`` in seconds, exactly (microseconds kept): ``Decimal("2700")``."""
    return _CTX.divide(Decimal(td // _US), Decimal(1_000_000))


def percent(part: int, whole: int) -> tuple[Decimal, Decimal]:
    """(exact, shown) percentage ``part / whole × 100``; shown is rounded down to 4
    decimals, so that it is never better than the exact value."""
    exact = _CTX.divide(Decimal(part) * 100, Decimal(whole))
    return exact, exact.quantize(_PLACES, rounding=ROUND_FLOOR)


@dataclass
class Window:
    """What every evaluator shares: the period from its start up to ``now`` on a calendar.

    ``excluded`` are the exclusions (and unobserved time) clipped to the window;
    ``measured`` is the window's business time minus their union's.
    """

    spec: TargetSpec
    data: TargetData
    calendar: Calendar
    start: dt.datetime
    end: dt.datetime
    period_end: dt.datetime
    now: dt.datetime
    excluded: tuple[Interval, ...]
    excluded_time: dt.timedelta
    measured: dt.timedelta
    provisional: bool

    @property
    def tz(self) -> dt.tzinfo:
        return self.calendar.tz

    def counted_each(self, items: Sequence[Interval]) -> list[dt.timedelta]:
        """Business time outside the exclusions of each of ``items``, which must be
        disjoint and sorted (a merge result, or consecutive gaps). One pass over both
        lists, so thousands of outages cost no more than a sort."""
        starts = [item.start for item in items]
        out = [_ZERO] * len(items)
        for piece in subtract(items, self.excluded):
            part = self.calendar.between(piece.start, piece.end)
            out[bisect_right(starts, piece.start) - 1] += part.duration
            self.provisional = self.provisional or part.provisional
        return out

    def advance(self, a: dt.datetime, counted: dt.timedelta) -> dt.datetime:
        """The moment when ``counted`` of the time that counts (business time on the
        calendar, outside the exclusions) has passed after ``a``."""
        cover = merge(self.excluded)
        t, left = a, counted
        while True:
            for x in cover:  # never start counting inside excluded time
                if x.start <= t < x.end:
                    t = x.end
            got = self.calendar.add(t, left)
            self.provisional = self.provisional or got.provisional
            b = got.at
            lost = _ZERO
            for x in cover:
                lo, hi = max(x.start, t), min(x.end, b)
                if lo < hi:
                    part = self.calendar.between(lo, hi)
                    lost += part.duration
            if lost <= _ZERO or b >= self.period_end:
                return b
            t, left = b, lost

    def span_line(self, en: str, zh: str, item: Interval, counted: dt.timedelta) -> str:
        """``"<en> 2026-10-03 02:10–02:55 (45 min) / <zh> …（45 分钟）"``, adding the time
        that counts (``counted``) when exclusions or service hours cut it."""
        span = span_text(item.start, item.end, self.tz)
        den, dzh = duration_text(item.duration)
        if counted != item.duration:
            cen, czh = duration_text(counted)
            den, dzh = f"{den}, {cen} counted", f"{dzh}，计入 {czh}"
        return bilingual(f"{en} {span} ({den})", f"{zh} {span}（{dzh}）")


@dataclass
class Outcome:
    """An evaluator's result, before credits."""

    met: bool | None
    reason: str
    unit: Unit
    objective: Decimal
    exact: Decimal | None = None
    figure: Decimal | None = None
    count: int = 0
    evidence: list[str] = field(default_factory=list)


def _state(met: bool) -> tuple[str, str]:
    return ("met", "达标") if met else ("missed", "未达标")


def _no_time(w: Window, unit: Unit, objective: Decimal) -> Outcome:
    return Outcome(
        None,
        bilingual(
            "not measurable: no service time left in the period after exclusions",
            "无法计量：扣除免责时间后，本周期内没有服务时间",
        ),
        unit,
        objective,
    )


def _downtime(w: Window) -> tuple[dt.timedelta, int, list[str]]:
    down = merge(clip(w.data.downtime, w.start, w.end))
    counted = w.counted_each(down)
    lines = [w.span_line("downtime", "停机", d, c) for d, c in zip(down, counted, strict=True)]
    return sum(counted, _ZERO), sum(c > _ZERO for c in counted), lines


def _availability(w: Window) -> Outcome:
    objective = w.spec.objective
    assert isinstance(objective, Decimal)
    if w.measured <= _ZERO:
        return _no_time(w, Unit.PERCENT, objective)
    down, count, lines = _downtime(w)
    exact, shown = percent((w.measured - down) // _US, w.measured // _US)
    met = exact >= objective
    en, zh = _state(met)
    den, dzh = duration_text(down)
    men, mzh = duration_text(w.measured)
    reason = bilingual(
        f"availability {number_text(shown)} % (objective {number_text(objective)} %): {en}",
        f"可用率 {number_text(shown)}%（目标 {number_text(objective)}%）：{zh}",
    )
    lines.append(
        bilingual(
            f"{count} outage(s), {den} downtime counted over {men} measured",
            f"停机 {count} 次，计入停机 {dzh}，计量时间 {mzh}",
        )
    )
    return Outcome(met, reason, Unit.PERCENT, objective, exact, shown, count, lines)


def _max_downtime(w: Window) -> Outcome:
    limit = w.spec.objective
    assert isinstance(limit, dt.timedelta)
    if w.measured <= _ZERO:
        return _no_time(w, Unit.SECONDS, seconds(limit))
    down, count, lines = _downtime(w)
    met = down <= limit
    en, zh = _state(met)
    den, dzh = duration_text(down)
    len_, lzh = duration_text(limit)
    reason = bilingual(
        f"downtime {den} in {count} outage(s) (at most {len_} allowed): {en}",
        f"停机 {dzh}，共 {count} 次（最多允许 {lzh}）：{zh}",
    )
    return Outcome(
        met, reason, Unit.SECONDS, seconds(limit), seconds(down), seconds(down), count, lines
    )


def _support_hours(w: Window) -> Outcome:
    limit = w.spec.objective
    assert isinstance(limit, dt.timedelta)
    if w.measured <= _ZERO:
        return _no_time(w, Unit.SECONDS, seconds(limit))
    spells = merge(clip(w.data.uncovered, w.start, w.end))
    each = w.counted_each(spells)
    total = sum(each, _ZERO)
    count = sum(c > _ZERO for c in each)
    lines = [
        w.span_line("desk not staffed", "服务台无人值守", s, c)
        for s, c in zip(spells, each, strict=True)
    ]
    met = total <= limit
    en, zh = _state(met)
    ten, tzh = duration_text(total)
    cal = w.calendar.name
    allowed_en = "none allowed" if limit == _ZERO else f"at most {duration_text(limit)[0]} allowed"
    allowed_zh = "不允许" if limit == _ZERO else f"最多允许 {duration_text(limit)[1]}"
    reason = bilingual(
        f"uncovered service time on {cal}: {ten} in {count} spell(s) ({allowed_en}): {en}",
        f"{cal} 服务时间内无人值守 {tzh}，共 {count} 段（{allowed_zh}）：{zh}",
    )
    return Outcome(
        met, reason, Unit.SECONDS, seconds(limit), seconds(total), seconds(total), count, lines
    )


def _response_time(w: Window) -> Outcome:
    objective = w.spec.objective
    assert isinstance(objective, Decimal)
    within = missed = running = ignored = 0
    lines: list[str] = []
    for sample in w.data.clocks:
        if not w.start <= sample.started_at < w.period_end:
            ignored += 1
            continue
        limit = w.spec.limits[sample.priority]
        stop = sample.stopped_at if sample.stopped_at is not None else w.now
        # Pauses and exclusions both stop the clock; merged, they never overlap.
        held = merge(clip([*sample.paused, *w.data.exclusions], sample.started_at, stop))
        timer = Timer(sample.started_at, limit, tuple(Pause(p.start, p.end) for p in held))
        state = timer.state(w.calendar, stop)
        w.provisional = w.provisional or state.provisional
        if not state.overdue:
            if sample.stopped_at is None:
                running += 1
            else:
                within += 1
            continue
        missed += 1
        uen, uzh = duration_text(state.used)
        len_, lzh = limit_text(limit)
        open_en, open_zh = (
            ("", "") if sample.stopped_at is not None else (", still open", "，仍未完成")
        )
        started = moment_text(sample.started_at, w.tz)
        lines.append(
            bilingual(
                f"missed #{sample.item_id} ({sample.priority}, started {started}): "
                f"{uen} used of {len_}{open_en}",
                f"超时 #{sample.item_id}（{sample.priority}，开始于 {started}）："
                f"已用 {uzh}，时限 {lzh}{open_zh}",
            )
        )
    decided = within + missed
    summary = bilingual(
        f"{within} of {decided} clock(s) within limit, {missed} missed, {running} still "
        f"running within limit, {ignored} outside the period ignored",
        f"{decided} 个计时中 {within} 个未超时，{missed} 个超时，{running} 个仍在计时且未超时，"
        f"{ignored} 个不在本周期内、未计入",
    )
    lines.append(summary)
    if decided == 0:
        reason = bilingual(
            "not measurable: no clock in the period has stopped or passed its limit",
            "无法计量：本周期内没有已停止或已超时的计时",
        )
        return Outcome(None, reason, Unit.PERCENT, objective, evidence=lines)
    exact, shown = percent(within, decided)
    met = exact >= objective
    en, zh = _state(met)
    reason = bilingual(
        f"{number_text(shown)} % of clocks within limit "
        f"(objective {number_text(objective)} %): {en}",
        f"{number_text(shown)}% 的计时未超时（目标 {number_text(objective)}%）：{zh}",
    )
    return Outcome(met, reason, Unit.PERCENT, objective, exact, shown, missed, lines)


def _min_count(w: Window) -> Outcome:
    objective = w.spec.objective
    assert isinstance(objective, Decimal)
    inside = [s for s in w.data.counts if w.start <= s.at < w.end]
    starts = [(x.start, x.end) for x in w.excluded]
    kept = [s for s in inside if not any(a <= s.at < b for a, b in starts)]
    lines: list[str] = []
    if len(kept) != len(inside):
        n = len(inside) - len(kept)
        lines.append(
            bilingual(
                f"{n} sample(s) in excluded time ignored", f"{n} 个样本处于免责时间内，未计入"
            )
        )
    if not kept:
        reason = bilingual(
            "not measurable: no count samples in the period", "无法计量：本周期内没有计数样本"
        )
        return Outcome(None, reason, Unit.COUNT, objective, evidence=lines)
    peak = w.spec.aggregate is Aggregate.MAX
    best = max(kept, key=lambda s: s.value) if peak else min(kept, key=lambda s: s.value)
    value = Decimal(best.value)
    met = value >= objective
    en, zh = _state(met)
    what_en, what_zh = ("peak", "峰值") if peak else ("lowest", "最低值")
    at = moment_text(best.at, w.tz)
    reason = bilingual(
        f"{what_en} {number_text(value)} at {at} of {len(kept)} sample(s) "
        f"(objective at least {number_text(objective)}): {en}",
        f"{len(kept)} 个样本的{what_zh} {number_text(value)}（{at}）"
        f"（目标至少 {number_text(objective)}）：{zh}",
    )
    return Outcome(met, reason, Unit.COUNT, objective, value, value, 0, lines)


def _max_gap(w: Window) -> Outcome:
    limit = w.spec.objective
    assert isinstance(limit, dt.timedelta)
    before = [h for h in w.data.heartbeats if h < w.start]
    if w.data.last_heartbeat_before is not None:
        before.append(w.data.last_heartbeat_before)
    lines: list[str] = []
    first = max(before) if before else w.start
    if before:
        lines.append(
            bilingual(
                f"counted from the last heartbeat before the period, {moment_text(first, w.tz)}",
                f"从本周期前最后一次心跳 {moment_text(first, w.tz)} 起算",
            )
        )
    points = [first, *(h for h in w.data.heartbeats if w.start <= h < w.end), w.end]
    gaps = [Interval(a, b, "gap") for a, b in pairwise(points) if a < b]
    each = w.counted_each(gaps)
    longest = max(each, default=_ZERO)
    over = 0
    for gap, counted in zip(gaps, each, strict=True):
        if counted > limit:
            over += 1
            lines.append(w.span_line("gap over the limit", "间隔超限", gap, counted))
    met = longest <= limit
    en, zh = _state(met)
    gen, gzh = duration_text(longest)
    len_, lzh = duration_text(limit)
    n = len(points) - 2
    reason = bilingual(
        f"longest gap {gen} between {n} heartbeat(s) in the period (at most {len_}): {en}",
        f"本周期 {n} 次心跳之间的最长间隔 {gzh}（最多 {lzh}）：{zh}",
    )
    return Outcome(
        met, reason, Unit.SECONDS, seconds(limit), seconds(longest), seconds(longest), over, lines
    )


def _frequency_share(w: Window) -> Outcome:
    """S3 "backed up every 2 days" read from the reports: the share of the period's
    intervals (from its start, each holding ``every`` of the time that counts: service
    hours on the target's calendar, outside exclusions) that held a heartbeat; met at
    100 %."""
    every = w.spec.objective
    assert isinstance(every, dt.timedelta)
    got = interval_share(w.start, w.period_end, every, w.data.heartbeats, w.now, w.advance)
    ien, izh = duration_text(every)
    lines = [
        w.span_line(
            "interval without a successful report", "无成功报告的间隔", Interval(a, b), every
        )
        for a, b in got.missed
    ]
    if got.share is None:
        reason = bilingual(
            f"not measurable: no interval of {ien} has ended in the period yet",
            f"无法计量：本周期尚无已结束的 {izh} 间隔",
        )
        return Outcome(None, reason, Unit.PERCENT, _HUNDRED_PERCENT, evidence=lines)
    exact, shown = percent(got.covered, got.judged)
    met = got.covered == got.judged
    en, zh = _state(met)
    reason = bilingual(
        f"{got.covered} of {got.judged} intervals of {ien} had a successful report "
        f"({number_text(shown)} %, objective 100 %): {en}",
        f"{got.judged} 个 {izh} 间隔中 {got.covered} 个有成功报告"
        f"（{number_text(shown)}%，目标 100%）：{zh}",
    )
    return Outcome(
        met, reason, Unit.PERCENT, _HUNDRED_PERCENT, exact, shown, len(got.missed), lines
    )


_HUNDRED_PERCENT = Decimal(100)


def exclusion_lines(w: Window) -> list[str]:
    """One line per exclusion in the window, with its kind, span, counted time, reason."""
    lines: list[str] = []
    for item in w.excluded:
        ken, kzh = kind_text(item.kind)
        result = business_total([item], w.calendar)
        w.provisional = w.provisional or result.provisional
        den, dzh = duration_text(item.duration)
        if result.duration != item.duration:
            cen, czh = duration_text(result.duration)
            den, dzh = f"{den}, {cen} in service time", f"{dzh}，其中服务时间 {czh}"
        span = span_text(item.start, item.end, w.tz)
        why_en = f": {item.reason}" if item.reason else ""
        why_zh = f"：{item.reason}" if item.reason else ""
        lines.append(
            bilingual(
                f"excluded ({ken}) {span} ({den}){why_en}", f"免责（{kzh}）{span}（{dzh}）{why_zh}"
            )
        )
    return lines


EVALUATORS = {
    TargetKind.AVAILABILITY: _availability,
    TargetKind.MAX_DOWNTIME: _max_downtime,
    TargetKind.SUPPORT_HOURS: _support_hours,
    TargetKind.RESPONSE_TIME: _response_time,
    TargetKind.MIN_COUNT: _min_count,
    TargetKind.MAX_GAP: _max_gap,
    TargetKind.FREQUENCY_SHARE: _frequency_share,
}
