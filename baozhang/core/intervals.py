"""Time intervals and set arithmetic on them. No Django, no I/O, no clock.

An :class:`Interval` is a half-open span ``[start, end)`` of aware datetimes with an
optional ``kind`` and ``reason`` (an outage, a maintenance window, an exemption …). The
functions here treat a sequence of intervals as a set of moments: they merge, clip,
subtract and intersect such sets, and add up their length, in wall time or in a
calendar's business time. They never mutate their input and always return tuples sorted
by ``(start, end)``.

Work is proportional to the number of intervals (plus a sort), never to their length.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter

from baozhang.core.calendar import Calendar, DurationResult

__all__ = [
    "Interval",
    "business_total",
    "clip",
    "complement",
    "intersect",
    "merge",
    "subtract",
    "total",
]

_ZERO = dt.timedelta(0)
_KIND_SEP = "+"
_REASON_SEP = "; "
# The order of Interval (its fields in turn) as a sort key: one tuple per interval, not
# one per comparison as the generated ``__lt__`` builds.
_ORDER = attrgetter("start", "end", "kind", "reason")


def _check_time(t: object, what: str) -> dt.datetime:
    if not isinstance(t, dt.datetime) or t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(
            f"{what} {t!r} must be an aware datetime (with a UTC offset) / "
            f"{what} {t!r} 必须是带时区偏移的时间"
        )
    return t.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """The moments from ``start`` (included) to ``end`` (excluded).

    ``start`` and ``end`` must be aware datetimes with ``start < end``; they are stored in
    UTC (so that lengths are right across daylight-saving changes, and equal moments
    compare equal whatever zone they were given in). ``kind`` names what the interval is
    (``"downtime"``, ``"announced_maintenance"`` …) and ``reason`` says why, in words a
    reviewer reads. Raises ValueError for naive datetimes, an empty or reversed interval,
    or a kind or reason that is not a string.
    """

    start: dt.datetime
    end: dt.datetime
    kind: str = ""
    reason: str = ""

    def __post_init__(self) -> None:
        start = _check_time(self.start, "interval start")
        end = _check_time(self.end, "interval end")
        if not start < end:
            raise ValueError(
                f"interval start {start.isoformat()} must be before its end "
                f"{end.isoformat()} / 区间开始 {start.isoformat()} 必须早于结束 {end.isoformat()}"
            )
        if not isinstance(self.kind, str) or not isinstance(self.reason, str):
            raise ValueError(
                f"interval kind {self.kind!r} and reason {self.reason!r} must be strings / "
                f"区间类型 {self.kind!r} 与原因 {self.reason!r} 必须是字符串"
            )
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> dt.timedelta:
        """Wall-clock length, ``end - start`` (always positive)."""
        return self.end - self.start

    def _with(self, start: dt.datetime, end: dt.datetime) -> Interval:
        """A part of this interval: ``start < end``, both UTC moments of this interval or
        of a checked window (clip, subtract, intersect make sure of it), so not checked
        again — the checks were most of the time of figures over many outages."""
        part = object.__new__(Interval)
        object.__setattr__(part, "start", start)
        object.__setattr__(part, "end", end)
        object.__setattr__(part, "kind", self.kind)
        object.__setattr__(part, "reason", self.reason)
        return part


def _check_all(intervals: Iterable[Interval], what: str) -> list[Interval]:
    out = list(intervals)
    for item in out:
        if not isinstance(item, Interval):
            raise ValueError(
                f"{what} must hold Interval values, got {item!r} / {what} 只能包含 Interval，"
                f"实际为 {item!r}"
            )
    return out


def _join(parts: list[str], sep: str) -> str:
    # A part said twice adds no piece: each distinct part once, in order (the parts of a
    # merged group are mostly the same kind, often the same reason).
    distinct = list(dict.fromkeys(parts))
    if len(distinct) == 1 and sep not in distinct[0]:
        return distinct[0]  # one piece (or none): itself
    seen: list[str] = []
    for part in distinct:
        for piece in part.split(sep) if part else ():
            if piece not in seen:
                seen.append(piece)
    return sep.join(seen)


def merge(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """The union of ``intervals`` as disjoint intervals, sorted by start.

    Overlapping and touching intervals (one ends where the next starts) become one. A
    merged interval keeps the kind of its parts if they all agree; otherwise its kind lists
    the distinct kinds in order of start, joined by ``+`` (``"downtime+maintenance"``), and
    its reason lists the distinct reasons joined by ``"; "``. Merging is idempotent:
    ``merge(merge(x)) == merge(x)``. An empty input gives ``()``.
    """
    items = sorted(_check_all(intervals, "intervals"), key=_ORDER)
    out: list[Interval] = []
    group: list[Interval] = []
    end: dt.datetime | None = None
    for item in items:
        if end is not None and item.start <= end:
            group.append(item)
            end = max(end, item.end)
            continue
        if group and end is not None:
            out.append(_merged(group, end))
        group, end = [item], item.end
    if group and end is not None:
        out.append(_merged(group, end))
    return tuple(out)


def _merged(group: list[Interval], end: dt.datetime) -> Interval:
    if len(group) == 1:
        return group[0]
    # The start and end are UTC moments of checked intervals, start before end, and the
    # joined kind and reason strings: built without checking them again.
    merged = object.__new__(Interval)
    object.__setattr__(merged, "start", group[0].start)
    object.__setattr__(merged, "end", end)
    object.__setattr__(merged, "kind", _join([g.kind for g in group], _KIND_SEP))
    object.__setattr__(merged, "reason", _join([g.reason for g in group], _REASON_SEP))
    return merged


def _check_window(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    lo = _check_time(start, "window start")
    hi = _check_time(end, "window end")
    if hi < lo:
        raise ValueError(
            f"window end {hi.isoformat()} is before its start {lo.isoformat()} / "
            f"窗口结束 {hi.isoformat()} 早于开始 {lo.isoformat()}"
        )
    return lo, hi


def clip(
    intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime
) -> tuple[Interval, ...]:
    """The parts of ``intervals`` inside the window ``[start, end)``, sorted, not merged.

    Each part keeps its kind and reason; intervals wholly outside the window are dropped.
    An empty window (``start == end``) gives ``()``. Raises ValueError if the window is
    reversed or not aware.
    """
    lo, hi = _check_window(start, end)
    if lo == hi:
        return ()
    out = [
        item
        if lo <= item.start and item.end <= hi
        else item._with(max(item.start, lo), min(item.end, hi))
        for item in _check_all(intervals, "intervals")
        if item.start < hi and item.end > lo
    ]
    return tuple(sorted(out, key=_ORDER))


def _split(
    item: Interval, starts: list[dt.datetime], cover: Sequence[Interval]
) -> tuple[list[Interval], list[Interval]]:
    """``item`` split into the parts inside ``cover`` and the parts outside it.

    ``cover`` must be disjoint and sorted (a :func:`merge` result), ``starts`` its starts.
    """
    inside: list[Interval] = []
    outside: list[Interval] = []
    pos = item.start
    i = max(bisect_right(starts, item.start) - 1, 0)
    while i < len(cover) and cover[i].start < item.end:
        c = cover[i]
        if c.end > pos:
            if c.start > pos:
                outside.append(item._with(pos, c.start))
            lo, hi = max(c.start, pos), min(c.end, item.end)
            inside.append(item._with(lo, hi))
            pos = hi
        i += 1
    if pos == item.start:
        outside.append(item)  # untouched (intervals are immutable: the same one will do)
    elif pos < item.end:
        outside.append(item._with(pos, item.end))
    return inside, outside


def subtract(intervals: Iterable[Interval], removed: Iterable[Interval]) -> tuple[Interval, ...]:
    """The parts of ``intervals`` not covered by any of ``removed``, sorted, not merged.

    What remains keeps the kind and reason of the interval it came from (the kinds of
    ``removed`` do not matter). Together with :func:`intersect` this partitions the
    input: every moment of ``intervals`` is in exactly one of ``subtract(a, b)`` and
    ``intersect(a, b)``. Subtracting nothing returns the input sorted.
    """
    cover = merge(removed)
    starts = [c.start for c in cover]
    out: list[Interval] = []
    for item in _check_all(intervals, "intervals"):
        out.extend(_split(item, starts, cover)[1])
    return tuple(sorted(out, key=_ORDER))


def intersect(intervals: Iterable[Interval], other: Iterable[Interval]) -> tuple[Interval, ...]:
    """The parts of ``intervals`` covered by ``other``, sorted, not merged.

    The parts keep the kind and reason of ``intervals`` (the first argument), so
    ``intersect(exclusions, window)`` keeps the exclusions' names.
    """
    cover = merge(other)
    starts = [c.start for c in cover]
    out: list[Interval] = []
    for item in _check_all(intervals, "intervals"):
        out.extend(_split(item, starts, cover)[0])
    return tuple(sorted(out, key=_ORDER))


def complement(
    intervals: Iterable[Interval],
    start: dt.datetime,
    end: dt.datetime,
    kind: str = "",
    reason: str = "",
) -> tuple[Interval, ...]:
    """The parts of the window ``[start, end)`` not covered by ``intervals``.

    Each gap is an interval of the given ``kind`` and ``reason``. An empty window gives
    ``()``; no intervals give the whole window. Raises ValueError for a reversed window.
    """
    lo, hi = _check_window(start, end)
    if lo == hi:
        return ()
    return subtract((Interval(lo, hi, kind, reason),), intervals)


def total(intervals: Iterable[Interval]) -> dt.timedelta:
    """Wall-clock length of the union of ``intervals``: overlaps count once; ``()`` is 0."""
    return sum((item.duration for item in merge(intervals)), _ZERO)


def business_total(intervals: Iterable[Interval], calendar: Calendar) -> DurationResult:
    """Business time of the union of ``intervals`` on ``calendar`` (overlaps count once).

    ``provisional`` is True if any part relied on the calendar's Monday-Friday fallback
    (a year its holiday schedule does not cover). ``()`` gives zero, not provisional.
    Raises ValueError (from the calendar) for years outside 1970-2100.
    """
    used = _ZERO
    provisional = False
    for item in merge(intervals):
        part = calendar.between(item.start, item.end)
        used += part.duration
        provisional = provisional or part.provisional
    return DurationResult(used, provisional)
