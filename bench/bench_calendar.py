"""Benchmark: business-time `add` and `between` on cn-5x8, against two common approaches.

    .venv/bin/python bench/bench_calendar.py            # 100,000 cases
    .venv/bin/python bench/bench_calendar.py --quick    # 10,000 cases, shorter budgets

Runs, on the same random cases (starts in 2025-2026, Asia/Shanghai, durations from one
minute to 80 business hours, i.e. up to the 10 working days of a complaint; change with
--max-hours — the longer the durations, the more days the day-by-day loop walks):

1. baozhang.core.calendar: `add` and `between` (interval table + binary search);
2. businesstimedelta (the one library that adds business time itself) with 09:00-18:00,
   a 12:00-13:00 lunch rule and China's holidays from `holidays` — it cannot express
   make-up working days (调休), so its answers differ whenever one is crossed;
3. a day-by-day loop over `holidays.China().is_working_day` (the common way deadlines are
   computed), which knows make-up days and must agree with (1) on every case.

Each library runs until it has done all cases or used its time budget, whichever comes
first; operations per second are computed on the cases it did. Prints the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from baozhang.core.calendar import builtin_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
CST = dt.timezone(dt.timedelta(hours=8))
SPANS = ((9 * 3600, 12 * 3600), (13 * 3600, 18 * 3600))

Case = tuple[dt.datetime, dt.timedelta]


def make_cases(n: int, max_hours: int, seed: int = 20260930) -> list[Case]:
    rnd = random.Random(seed)
    base = dt.datetime(2025, 1, 1, tzinfo=CST)
    # Starts up to late November 2026 so that results stay inside the holiday data.
    horizon = (dt.datetime(2026, 11, 30, tzinfo=CST) - base) // dt.timedelta(minutes=1)
    return [
        (
            base + dt.timedelta(minutes=rnd.randrange(horizon)),
            dt.timedelta(minutes=rnd.randrange(1, max_hours * 60 + 1)),
        )
        for _ in range(n)
    ]


def timed(
    fn: Callable[[dt.datetime, dt.timedelta], object],
    cases: Sequence[Case],
    budget: float,
) -> tuple[list[object], float]:
    """Run fn over cases until done or out of budget; return results and seconds used.

    The cyclic garbage collector is off while timing, as timeit does: the 100,000 kept
    results would otherwise trigger collections that measure the heap, not the function."""
    out: list[object] = []
    append = out.append
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        deadline = t0 + budget
        for k in range(0, len(cases), 500):
            for start, d in cases[k : k + 500]:
                append(fn(start, d))
            if time.perf_counter() > deadline:
                break
        return out, time.perf_counter() - t0
    finally:
        gc.enable()


def day_by_day(is_working_day: Callable[[dt.date], bool]) -> Callable[..., dt.datetime]:
    """The common approach: walk the days, ask the holiday package about each one."""

    def add(start: dt.datetime, d: dt.timedelta) -> dt.datetime:
        local = start.astimezone(SHANGHAI)
        day = local.date()
        clock = local.hour * 3600 + local.minute * 60 + local.second
        left = d.total_seconds()
        while True:
            if is_working_day(day):
                for a, b in SPANS:
                    s = max(a, clock)
                    if s < b:
                        if left <= b - s:
                            midnight = dt.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)
                            return midnight + dt.timedelta(seconds=s + left)
                        left -= b - s
            day += dt.timedelta(days=1)
            clock = 0

    return add


def businesstimedelta_add() -> Callable[[dt.datetime, dt.timedelta], dt.datetime]:
    import businesstimedelta as btd
    import holidays
    import pytz

    tz = pytz.timezone("Asia/Shanghai")
    rules = btd.Rules(
        [
            btd.WorkDayRule(dt.time(9), dt.time(18), [0, 1, 2, 3, 4], tz=tz),
            btd.LunchTimeRule(dt.time(12), dt.time(13), [0, 1, 2, 3, 4], tz=tz),
            btd.HolidayRule(holidays.China(years=range(2025, 2028)), tz=tz),
        ]
    )

    def add(start: dt.datetime, d: dt.timedelta) -> dt.datetime:
        return start + btd.BusinessTimeDelta(rules, timedelta=d)  # type: ignore[no-any-return]

    return add


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 cases, short budgets")
    parser.add_argument(
        "--max-hours",
        type=int,
        default=80,
        help="longest business duration, hours (default 80: 10 working days of 8 hours)",
    )
    parser.add_argument("--budget", type=float, default=30.0, help="seconds per library at most")
    args = parser.parse_args(argv)
    n = 10_000 if args.quick else args.cases
    budget = min(args.budget, 5.0) if args.quick else args.budget
    if n < 1 or budget <= 0 or args.max_hours < 1:
        parser.error("--cases, --budget and --max-hours must be positive")

    cpu = platform.processor() or "unknown"
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            models = [ln.split(":", 1)[1].strip() for ln in f if ln.startswith("model name")]
        cpu = models[0] if models else cpu
    print(f"machine: {os.cpu_count()} CPUs, {cpu}; Python {platform.python_version()}")
    print(
        f"cases: {n:,} random on cn-5x8: start in 2025-2026, "
        f"1 min to {args.max_hours} business hours"
    )

    cases = make_cases(n, args.max_hours)
    cal = builtin_calendar("cn-5x8")
    t0 = time.perf_counter()
    cal.add(cases[0][0], cases[0][1])  # builds the interval table once
    print(f"table build (first call): {(time.perf_counter() - t0) * 1000:.1f} ms")

    ours, secs = timed(cal.add, cases, budget)
    ours_rate = len(ours) / secs
    ends = [(c[0], r.at) for c, r in zip(cases, ours, strict=False)]  # type: ignore[attr-defined]
    between_cases = [(a, b) for a, b in ends]
    t0 = time.perf_counter()
    between = cal.between
    for a, b in between_cases:
        between(a, b)
    between_rate = len(between_cases) / (time.perf_counter() - t0)

    import holidays

    china = holidays.China(years=range(2025, 2028))
    loop, loop_secs = timed(day_by_day(china.is_working_day), cases, budget)
    loop_rate = len(loop) / loop_secs
    loop_agree = sum(a == r.at for a, r in zip(loop, ours, strict=False))  # type: ignore[attr-defined]

    btd_res, btd_secs = timed(businesstimedelta_add(), cases, budget)
    btd_rate = len(btd_res) / btd_secs
    btd_agree = sum(a == r.at for a, r in zip(btd_res, ours, strict=False))  # type: ignore[attr-defined]

    print()
    print(f"{'':38} {'cases':>8} {'ops/s':>12} {'ours is ×':>10}")
    print(f"{'baozhang add':38} {len(ours):>8,} {ours_rate:>12,.0f} {'':>10}")
    print(f"{'baozhang between':38} {len(between_cases):>8,} {between_rate:>12,.0f} {'':>10}")
    print(
        f"{'day-by-day holidays.is_working_day':38} {len(loop):>8,} {loop_rate:>12,.0f} "
        f"{ours_rate / loop_rate:>10.1f}"
    )
    print(
        f"{'businesstimedelta (holidays only)':38} {len(btd_res):>8,} {btd_rate:>12,.0f} "
        f"{ours_rate / btd_rate:>10.1f}"
    )
    print()
    print(f"day-by-day loop agrees with baozhang on {loop_agree:,} of {len(loop):,} cases")
    print(
        f"businesstimedelta agrees on {btd_agree:,} of {len(btd_res):,} cases: it cannot "
        "express make-up working days (调休), so it was run with the holidays only"
    )
    targets = (
        ours_rate >= 300_000,
        ours_rate >= 100 * btd_rate,
        ours_rate >= 5 * loop_rate,
    )
    print(
        "targets (≥300,000 add/s; ≥100× businesstimedelta; ≥5× day-by-day): "
        + ", ".join("met" if ok else "NOT met" for ok in targets)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
