"""The 完好率 of many monitors at once (figures.integrity_of, what the quality report reads)
is, monitor by monitor, exactly what each monitor's own figures give: stored rollups,
raw results of days not rolled up, a monitor's first day, a missing rollup, another
interval, a period cut mid-day and a period still running."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from baozhang.core.monitor_rollup import Integrity, Rollup, integrity
from baozhang.monitoring import ingest
from baozhang.monitoring.figures import (
    day_bounds,
    integrity_of,
    integrity_total,
    monitor_figures,
)
from baozhang.monitoring.models import DailyRollup, Monitor

FIRST = dt.date(2026, 3, 1)
DAYS = 8
MIN = dt.timedelta(minutes=1)


def _monitor(name: str, created: dt.datetime, interval_s: int = 60) -> Monitor:
    m = Monitor.objects.create(
        name=name, kind="http", target="http://127.0.0.1:9/", interval_s=interval_s
    )
    Monitor.objects.filter(pk=m.pk).update(created_at=created)
    m.refresh_from_db()
    return m


def _rollup(m: Monitor, day: dt.date, k: int, *, period_start: dt.datetime | None = None) -> None:
    d0, d1 = day_bounds(day)
    step = dt.timedelta(seconds=m.interval_s)
    lo = period_start or max(d0, d0 + -(-(m.created_at - d0) // step) * step)
    periods = (d1 - lo) // step
    missed, excluded = k % 4, 30 if k % 3 == 0 else 0
    DailyRollup.objects.create(
        monitor=m,
        day=day,
        period_start=lo,
        period_end=d1,
        checks=periods - missed - excluded,
        failures=k % 5,
        missed=missed,
        excluded=excluded,
    )


def _raw(m: Monitor, day: dt.date, minutes: range, failing: set[int]) -> None:
    d0, _ = day_bounds(day)

    class R:
        def __init__(self, at: dt.datetime, ok: bool) -> None:
            self.monitor_id, self.region, self.at, self.ok = m.id, "local", at, ok
            self.latency_ms, self.error = 20.0, ""

    ingest.ingest([R(d0 + i * MIN + dt.timedelta(seconds=5), i not in failing) for i in minutes])


@pytest.fixture
def monitors(db: object) -> list[Monitor]:
    d0, _ = day_bounds(FIRST)
    old = _monitor("old", d0 - dt.timedelta(days=30))
    late = _monitor("created on day 3", d0 + dt.timedelta(days=2, hours=9, seconds=17))
    gap = _monitor("a day without a rollup", d0 - dt.timedelta(days=30))
    slow = _monitor("every two minutes", d0 - dt.timedelta(days=30), interval_s=120)
    odd = _monitor("a rollup starting before its day", d0 - dt.timedelta(days=30))
    for k in range(DAYS - 1):  # the last day is not rolled up: raw results only
        day = FIRST + dt.timedelta(days=k)
        _rollup(old, day, k)
        _rollup(slow, day, k + 1)
        if k >= 2:
            _rollup(late, day, k)
        if k != 4:
            _rollup(gap, day, k)
        start = day_bounds(day)[0] - dt.timedelta(hours=1) if k == 3 else None
        _rollup(odd, day, k, period_start=start)
    _raw(gap, FIRST + dt.timedelta(days=4), range(0, 1440, 3), failing={30, 31})
    last = FIRST + dt.timedelta(days=DAYS - 1)
    for m in (old, late, gap, slow, odd):
        _raw(m, last, range(0, 600), failing={100, 101, 102})
    return [old, late, gap, slow, odd]


@pytest.mark.parametrize(
    ("start_h", "end_h", "now_h"),
    [
        (0, 24 * DAYS, 24 * DAYS + 1),  # whole days, all ended
        (0, 24 * DAYS, 24 * (DAYS - 1) + 7),  # still running: the last day half observed
        (5, 24 * 5 + 13, 24 * DAYS + 1),  # cut mid-day at both ends
        (24 * 2, 24 * 4, 24 * DAYS),  # the late monitor's first days
        (0, 24 * 30, 24 * 3 + 2),  # most of it after now
    ],
)
def test_integrity_of_equals_each_monitors_own_figures(
    monitors: list[Monitor], start_h: int, end_h: int, now_h: int
) -> None:
    d0, _ = day_bounds(FIRST)
    start = d0 + dt.timedelta(hours=start_h)
    end = d0 + dt.timedelta(hours=end_h)
    now = d0 + dt.timedelta(hours=now_h)
    own = {m.id: monitor_figures(m, start, end, now=now).integrity for m in monitors}
    # With the odd rollup every day is read day by day; without it, whole days are summed.
    for chosen in (monitors, monitors[:-1]):
        together = integrity_of(chosen, start, end, now=now)
        assert list(together) == [m.id for m in chosen]
        for m in chosen:
            assert together[m.id] == own[m.id], m.name
    assert any(i.periods for i in together.values())
    assert any(i.abnormal for i in together.values())


@pytest.mark.parametrize(
    ("start_h", "end_h", "now_h"),
    [
        (0, 24 * DAYS, 24 * DAYS + 1),
        (0, 24 * DAYS, 24 * (DAYS - 1) + 7),
        (5, 24 * 5 + 13, 24 * DAYS + 1),
        (24 * 2, 24 * 4, 24 * DAYS),
        (0, 24 * 30, 24 * 3 + 2),
        (24 * 3, 24 * 7, 24 * DAYS),  # whole days only, all stored (not the odd day 3)
    ],
)
def test_integrity_total_is_the_sum_of_each_monitors_integrity(
    monitors: list[Monitor], start_h: int, end_h: int, now_h: int
) -> None:
    d0, _ = day_bounds(FIRST)
    start = d0 + dt.timedelta(hours=start_h)
    end = d0 + dt.timedelta(hours=end_h)
    now = d0 + dt.timedelta(hours=now_h)
    old, late, _gap, slow, _odd = monitors
    # All of them (a missing rollup, a rollup starting before its day: counted monitor by
    # monitor), and those whose whole days are all stored (summed per day).
    for chosen in (monitors, [old, late, slow], [late], [old]):
        each = integrity_of(chosen, start, end, now=now).values()
        total = integrity_total(chosen, start, end, now=now)
        periods = sum(i.periods for i in each)
        abnormal = sum(i.abnormal for i in each)
        assert (total.periods, total.abnormal) == (periods, abnormal), [m.name for m in chosen]
        assert total.excluded == sum(i.excluded for i in each)
        expected = integrity(Rollup(start, end, periods - abnormal, 0, abnormal, 0)).percent
        assert total.percent == expected
    assert integrity_total(monitors, start, end, now=now).periods > 0


def test_integrity_total_reads_no_row_per_monitor(db: object) -> None:
    # Given monitors with every whole day rolled up, created before and during the period
    d0, _ = day_bounds(FIRST)

    def queries(n: int) -> tuple[int, Integrity]:
        chosen = []
        for i in range(n):
            created = d0 - dt.timedelta(days=30) if i % 3 else d0 + dt.timedelta(hours=30 + i)
            m = _monitor(f"m{n}-{i}", created)
            for k in range(DAYS):
                day = FIRST + dt.timedelta(days=k)
                if day_bounds(day)[1] > m.created_at:
                    _rollup(m, day, k + i)
            chosen.append(m)
        start, end = d0, d0 + dt.timedelta(days=DAYS)
        with CaptureQueriesContext(connection) as seen:
            total = integrity_total(chosen, start, end, now=end + dt.timedelta(hours=1))
        each = integrity_of(chosen, start, end, now=end + dt.timedelta(hours=1)).values()
        assert total.periods == sum(i.periods for i in each)
        assert total.abnormal == sum(i.abnormal for i in each)
        return len(seen), total

    few, _ = queries(3)
    many, total = queries(30)
    # Then ten times the monitors take the same number of queries
    assert many == few
    assert total.abnormal > 0
