"""SLA evaluation: table tests with numbers a reviewer can check by hand, then properties.

October 2026 in Asia/Shanghai has 31 days = 44,640 minutes (24x7). On cn-5x8 it has 18
working days (8, 9, 10 make-up Saturday, 12-16, 19-23, 26-30) × 8 h = 144 h = 8,640 min.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baozhang.core.calendar import Calendar, WorkingDays, builtin_calendar
from baozhang.core.sla import (
    Aggregate,
    ClockSample,
    CountSample,
    ExclusionKind,
    Interval,
    PenaltyTier,
    Period,
    Summary,
    TargetData,
    TargetKind,
    TargetSpec,
    Unit,
    Verdict,
    evaluate,
    month_period,
    quarter_period,
    summarise,
    year_period,
)

SH = ZoneInfo("Asia/Shanghai")
D = Decimal
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
FEE = D("10000.00")
OCTOBER = month_period(2026, 10, "Asia/Shanghai")
AFTER_OCTOBER = dt.datetime(2026, 11, 5, 9, tzinfo=SH)
TIERS = (PenaltyTier(D("99.9"), D(10)), PenaltyTier(D(99), D(25)))
AVAILABILITY = TargetSpec(TargetKind.AVAILABILITY, D("99.9"), tiers=TIERS, name="network")


def at(day: int, hour: int = 0, minute: int = 0, month: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def judge(
    target: TargetSpec,
    data: TargetData,
    *,
    period: Period = OCTOBER,
    calendar: str | Calendar = "24x7",
    now: dt.datetime = AFTER_OCTOBER,
    fee: Decimal = FEE,
) -> Verdict:
    cal = builtin_calendar(calendar) if isinstance(calendar, str) else calendar
    return evaluate(target, period, data, calendar=cal, fee=fee, now=now)


OUTAGE = Interval(at(3, 2, 10), at(3, 2, 55), "downtime")  # 45 min
MAINTENANCE = Interval(
    at(3, 2, 10), at(3, 2, 40), ExclusionKind.ANNOUNCED_MAINTENANCE, "router firmware"
)  # 30 min, inside the outage


# --- availability -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("downtime", "exclusions", "figure", "met", "credit", "amount", "measured_min"),
    [
        # (44,640 − 45) / 44,640 = 99.89919… % → below 99.9 → 10 % of 10,000.00
        ([OUTAGE], [], "99.8991", False, 10, "1000.00", 44_640),
        # the 30 min of announced maintenance leave 15 min over 44,610 min: 99.96637… %
        ([OUTAGE], [MAINTENANCE], "99.9663", True, 0, "0.00", 44_610),
        # 500 min down: (44,640 − 500) / 44,640 = 98.87993… % → below 99 → 25 %
        ([Interval(at(10), at(10, 8, 20))], [], "98.8799", False, 25, "2500.00", 44_640),
        # exactly 44.64 min is 99.9 %: 44 min 38.4 s of downtime is met (not below 99.9)
        (
            [Interval(at(3), at(3) + dt.timedelta(seconds=2678.4))],
            [],
            "99.9000",
            True,
            0,
            "0.00",
            44_640,
        ),
        # nothing down
        ([], [], "100.0000", True, 0, "0.00", 44_640),
    ],
)
def test_availability_in_october(
    downtime: list[Interval],
    exclusions: list[Interval],
    figure: str,
    met: bool,
    credit: int,
    amount: str,
    measured_min: int,
) -> None:
    verdict = judge(AVAILABILITY, TargetData(downtime=downtime, exclusions=exclusions))
    assert verdict.met is met
    assert verdict.figure == D(figure)
    assert verdict.unit is Unit.PERCENT
    assert verdict.objective == D("99.9")
    assert verdict.measured == measured_min * MIN
    assert verdict.credit_percent == credit
    assert verdict.credit_amount == D(amount)
    assert verdict.final is True
    assert verdict.provisional is False


def test_availability_evidence_shows_the_downtime_and_the_credit() -> None:
    verdict = judge(AVAILABILITY, TargetData(downtime=[OUTAGE]))
    assert verdict.reason == (
        "availability 99.8991 % (objective 99.9 %): missed / 可用率 99.8991%（目标 99.9%）：未达标"
    )
    assert "downtime 2026-10-03 02:10–02:55 (45 min) / 停机 2026-10-03 02:10–02:55（45 分钟）" in (
        verdict.evidence
    )
    assert verdict.evidence[-1] == (
        "credit 10 % of fee 10,000.00 = 1,000.00 (tier below 99.9 %) / "
        "赔偿 费用 10,000.00 的 10% = 1,000.00（低于 99.9% 档）"
    )
    assert verdict.count == 1


def test_excluded_time_is_shown_never_hidden() -> None:
    verdict = judge(AVAILABILITY, TargetData(downtime=[OUTAGE], exclusions=[MAINTENANCE]))
    assert verdict.excluded == (MAINTENANCE,)
    assert verdict.excluded[0].duration == 30 * MIN
    assert verdict.excluded_time == 30 * MIN
    assert (
        "excluded (announced maintenance) 2026-10-03 02:10–02:40 (30 min): router firmware / "
        "免责（已通告的维护）2026-10-03 02:10–02:40（30 分钟）：router firmware"
    ) in verdict.evidence
    assert (
        "downtime 2026-10-03 02:10–02:55 (45 min, 15 min counted) / "
        "停机 2026-10-03 02:10–02:55（45 分钟，计入 15 分钟）"
    ) in verdict.evidence


def test_exclusions_and_downtime_are_cut_to_the_period() -> None:
    # An outage from 30 Sep 23:50 to 1 Oct 00:20 counts 20 min in October; an exclusion
    # that runs into November shows only its October part.
    outage = Interval(at(30, 23, 50, month=9), at(1, 0, 20))
    freeze = Interval(at(31, 23), at(2, 1, month=11), ExclusionKind.CUSTOMER_CAUSED)
    verdict = judge(AVAILABILITY, TargetData(downtime=[outage], exclusions=[freeze]))
    assert verdict.excluded == (Interval(at(31, 23), OCTOBER.end, ExclusionKind.CUSTOMER_CAUSED),)
    assert verdict.measured == 44_580 * MIN
    # (44,580 − 20) / 44,580 = 99.95513…
    assert verdict.figure == D("99.9551")


def test_overlapping_outages_count_once() -> None:
    twice = [OUTAGE, Interval(at(3, 2, 30), at(3, 3, 0), "downtime")]  # 02:10–03:00 = 50 min
    verdict = judge(AVAILABILITY, TargetData(downtime=twice))
    assert verdict.count == 1
    assert verdict.figure == D("99.8879")  # (44,640 − 50) / 44,640 = 99.88799…


def test_availability_on_business_hours_counts_only_open_time() -> None:
    # On cn-5x8, October has 8,640 working minutes. The 02:10 outage on a holiday does
    # not count; one on Mon 12 Oct 11:00–13:30 counts 11:00–12:00 and 13:00–13:30.
    outages = [OUTAGE, Interval(at(12, 11), at(12, 13, 30))]
    verdict = judge(AVAILABILITY, TargetData(downtime=outages), calendar="cn-5x8")
    assert verdict.measured == 8_640 * MIN
    assert verdict.figure == D("98.9583")  # (8,640 − 90) / 8,640 = 98.95833…
    assert verdict.count == 1  # the holiday outage is shown but not counted
    assert verdict.credit_percent == 25


def test_unobserved_time_is_excluded_as_not_observed() -> None:
    # The monitor started on 11 Oct: the first ten days (14,400 min) are not measured.
    data = TargetData(downtime=[OUTAGE], observed=[Interval(at(11), OCTOBER.end)])
    verdict = judge(AVAILABILITY, data)
    assert [i.kind for i in verdict.excluded] == [ExclusionKind.NOT_OBSERVED]
    assert verdict.measured == 30_240 * MIN
    assert verdict.figure == D(100)
    assert verdict.met is True


def test_an_interim_verdict_measures_up_to_now() -> None:
    # On 3 Oct at 03:00: 2 days 3 h = 3,060 min measured, 45 min down → 98.52941…
    verdict = judge(AVAILABILITY, TargetData(downtime=[OUTAGE]), now=at(3, 3))
    assert verdict.final is False
    assert verdict.measured == 3_060 * MIN
    assert verdict.figure == D("98.5294")
    assert verdict.credit_percent == 25


@pytest.mark.parametrize(
    ("data", "now", "calendar", "reason"),
    [
        (TargetData(), at(1), "24x7", "not measurable: the period starts"),
        (TargetData(), at(30, month=9), "24x7", "尚未到来"),
        # all of October excluded
        (
            TargetData(exclusions=[Interval(OCTOBER.start, OCTOBER.end, "force_majeure")]),
            AFTER_OCTOBER,
            "24x7",
            "no service time left",
        ),
        # on cn-5x8, 1-7 October has no working time at all
        (TargetData(), at(8, 9), "cn-5x8", "没有服务时间"),
        (TargetData(observed=[]), AFTER_OCTOBER, "24x7", "no service time left"),
    ],
)
def test_not_measurable_gives_met_none_with_the_reason(
    data: TargetData, now: dt.datetime, calendar: str, reason: str
) -> None:
    verdict = judge(AVAILABILITY, data, now=now, calendar=calendar)
    assert verdict.met is None
    assert reason in verdict.reason
    assert verdict.figure is None
    assert verdict.credit_percent == 0
    assert verdict.credit_amount == D("0.00")


def test_years_without_holiday_data_are_provisional() -> None:
    verdict = judge(
        AVAILABILITY,
        TargetData(),
        period=month_period(2090, 10, SH),
        calendar="cn-5x8",
        now=dt.datetime(2090, 11, 1, 9, tzinfo=SH),
    )
    assert verdict.provisional is True
    # Past the official notices the statutory holidays are known by rule: 22 weekdays less
    # National Day on Monday 2 and Tuesday 3 October and the day in lieu of Sunday 1 October
    # (Wednesday 4); only the make-up working days are a guess.
    assert verdict.measured == 19 * 8 * H
    assert any(line.startswith("provisional") for line in verdict.evidence)


# --- max_downtime and support_hours -----------------------------------------------------


def test_max_downtime_per_year_with_a_flat_credit() -> None:
    # "network down at most 1 hour a year": two outages of 40 and 30 min → 70 min, missed.
    target = TargetSpec(TargetKind.MAX_DOWNTIME, H, flat_credit=D(5))
    outages = [
        Interval(at(3, 2), at(3, 2, 40)),
        Interval(at(20, 14, month=6), at(20, 14, 30, month=6)),
    ]
    verdict = judge(
        target, TargetData(downtime=outages), period=year_period(2026, "Asia/Shanghai"),
        now=dt.datetime(2027, 1, 2, tzinfo=SH),
    )  # fmt: skip
    assert verdict.met is False
    assert verdict.figure == D(4200)
    assert verdict.objective == D(3600)
    assert verdict.unit is Unit.SECONDS
    assert verdict.count == 2
    assert verdict.credit_percent == 5
    assert verdict.credit_amount == D("500.00")
    assert verdict.reason.startswith("downtime 1 h 10 min (70 min) in 2 outage(s)")


def test_max_downtime_met_when_the_excess_is_exempt() -> None:
    target = TargetSpec(TargetKind.MAX_DOWNTIME, 20 * MIN, flat_credit=D(5))
    verdict = judge(target, TargetData(downtime=[OUTAGE], exclusions=[MAINTENANCE]))
    assert verdict.met is True
    assert verdict.figure == D(900)  # 15 min
    assert verdict.credit_percent == 0


def test_support_hours_7x24_allow_no_uncovered_time() -> None:
    target = TargetSpec(TargetKind.SUPPORT_HOURS, flat_credit=D(3))
    gap = Interval(at(3, 2), at(3, 3), reason="night shift absent")
    verdict = judge(target, TargetData(uncovered=[gap]))
    assert verdict.met is False
    assert verdict.figure == D(3600)
    assert verdict.objective == D(0)
    assert verdict.count == 1
    assert "desk not staffed 2026-10-03 02:00–03:00 (1 h (60 min))" in verdict.evidence[2]
    assert verdict.credit_amount == D("300.00")


def test_support_hours_5x8_ignore_unstaffed_nights() -> None:
    # The desk is empty every night from 18:00 to 09:00 and on 1-7 October: fine on cn-5x8
    target = TargetSpec(TargetKind.SUPPORT_HOURS)
    nights = [Interval(at(d, 18), at(d + 1, 9)) for d in range(8, 30)]
    holiday = Interval(at(1), at(8, 9))
    verdict = judge(target, TargetData(uncovered=[*nights, holiday]), calendar="cn-5x8")
    assert verdict.met is True
    assert verdict.count == 0
    # … but an afternoon out on a working day is not
    late = judge(
        target, TargetData(uncovered=[*nights, Interval(at(9, 16), at(9, 18))]), calendar="cn-5x8"
    )
    assert late.met is False
    assert late.figure == D(7200)


# --- response_time on cn-5x8 across the National Day holiday ---------------------------

RESPONSE = TargetSpec(
    TargetKind.RESPONSE_TIME,
    D(90),
    limits={"P1": 4 * H, "P2": WorkingDays(1)},
    tiers=(PenaltyTier(D(90), D(5)), PenaltyTier(D(60), D(15))),
    name="resolution",
)
FORTNIGHT = Period(at(28, month=9), at(12), "28 Sep - 11 Oct")
NOW_9_OCT = at(9, 10)
CLOCKS = [
    # 30 Sep 16:00-18:00 (2 h), holidays, 8 Oct 09:00-11:00 (2 h): exactly 4 h, on time
    ClockSample("A", "P1", at(30, 16, month=9), at(8, 11)),
    # 15:00-17:00 (2 h), paused until 8 Oct 09:30, then 09:30-11:00 (1.5 h): 3.5 h
    ClockSample(
        "B", "P1", at(30, 15, month=9), at(8, 11), [Interval(at(30, 17, month=9), at(8, 9, 30))]
    ),
    # 14:00-18:00 less lunch … 30 Sep 14-18 (4 h) + 8 Oct 09-12 (3 h) = 7 h: missed
    ClockSample("C", "P1", at(30, 14, month=9), at(8, 12)),
    # P2: one working day = end of business on 8 Oct = 7 h + 8 h = 15 h of business time;
    # still open at 9 Oct 10:00 with 16 h used: missed
    ClockSample("D", "P2", at(30, 10, month=9)),
    # opened 9 Oct 09:00, 1 h used, still running within its limit: not decided yet
    ClockSample("E", "P1", at(9, 9)),
    # started before the period: not counted
    ClockSample("F", "P1", at(25, 9, month=9), at(25, 10, month=9)),
]


def test_response_time_across_national_day_with_a_pause() -> None:
    verdict = judge(
        RESPONSE, TargetData(clocks=CLOCKS), period=FORTNIGHT, calendar="cn-5x8", now=NOW_9_OCT
    )
    # A and B within, C and D missed: 2 of 4 = 50 % < 60 → 15 %
    assert verdict.figure == D(50)
    assert verdict.met is False
    assert verdict.count == 2
    assert verdict.credit_percent == 15
    assert verdict.credit_amount == D("1500.00")
    misses = [line for line in verdict.evidence if line.startswith("missed")]
    assert misses == [
        "missed #C (P1, started 2026-09-30 14:00): 7 h (420 min) used of 4 h (240 min) / "
        "超时 #C（P1，开始于 2026-09-30 14:00）：已用 7 小时（420 分钟），时限 4 小时（240 分钟）",
        "missed #D (P2, started 2026-09-30 10:00): 16 h (960 min) used of 1 working day(s), "
        "still open / 超时 #D（P2，开始于 2026-09-30 10:00）：已用 16 小时（960 分钟），"
        "时限 1 个工作日，仍未完成",
    ]
    assert any("1 still running within limit, 1 outside the period" in x for x in verdict.evidence)


def test_an_exclusion_stops_clocks_too() -> None:
    # Force majeure on the morning of 8 Oct: C then used only 4 h and is on time
    storm = Interval(at(8, 9), at(8, 12), ExclusionKind.FORCE_MAJEURE, "typhoon")
    data = TargetData(clocks=CLOCKS[:3], exclusions=[storm])
    verdict = judge(RESPONSE, data, period=FORTNIGHT, calendar="cn-5x8", now=NOW_9_OCT)
    assert verdict.figure == D(100)
    assert verdict.met is True
    assert verdict.excluded == (storm,)


def test_response_time_with_no_decided_clock_is_not_measurable() -> None:
    verdict = judge(
        RESPONSE, TargetData(clocks=[CLOCKS[4]]), period=FORTNIGHT, calendar="cn-5x8", now=NOW_9_OCT
    )
    assert verdict.met is None
    assert "no clock in the period has stopped" in verdict.reason


# --- min_count and max_gap --------------------------------------------------------------

USERS = [CountSample(at(5, 20), 120), CountSample(at(6, 20), 95), CountSample(at(7, 3), 80)]


@pytest.mark.parametrize(
    ("aggregate", "samples", "exclusions", "met", "figure"),
    [
        (Aggregate.MAX, USERS, [], True, 120),
        (Aggregate.MIN, USERS, [], False, 80),
        # the 80 fell in announced maintenance: ignored, the lowest is 95
        (Aggregate.MIN, USERS, [Interval(at(7, 2), at(7, 4), "announced_maintenance")], False, 95),
        (Aggregate.MAX, [CountSample(at(5), D("99.5"))], [], False, D("99.5")),
    ],
)
def test_min_count(
    aggregate: Aggregate,
    samples: list[CountSample],
    exclusions: list[Interval],
    met: bool,
    figure: Decimal | int,
) -> None:
    target = TargetSpec(TargetKind.MIN_COUNT, 100, aggregate=aggregate, flat_credit=D(2))
    verdict = judge(target, TargetData(counts=samples, exclusions=exclusions))
    assert verdict.met is met
    assert verdict.figure == figure
    assert verdict.unit is Unit.COUNT
    assert verdict.credit_percent == (0 if met else 2)


def test_min_count_without_samples_is_not_measurable() -> None:
    verdict = judge(TargetSpec(TargetKind.MIN_COUNT, 100), TargetData())
    assert verdict.met is None
    assert verdict.reason == (
        "not measurable: no count samples in the period / 无法计量：本周期内没有计数样本"
    )


BACKUP = TargetSpec(TargetKind.MAX_GAP, dt.timedelta(days=2), flat_credit=D(1), name="backup")
BACKUPS = [at(2), at(4), at(7), *(at(d) for d in range(8, 31, 2))]  # last one 30 Oct 00:00


def test_max_gap_finds_the_gap_over_two_days() -> None:
    data = TargetData(heartbeats=BACKUPS, last_heartbeat_before=at(30, 12, month=9))
    verdict = judge(BACKUP, data)
    # 30 Sep 12:00 → 2 Oct 1.5 d; 4 → 7 Oct 3 d (too long); 30 Oct → 1 Nov 2 d (allowed)
    assert verdict.met is False
    assert verdict.figure == D(3 * 86_400)
    assert verdict.count == 1
    assert (
        "gap over the limit 2026-10-04 00:00–2026-10-07 00:00 (3 d (4,320 min)) / "
        "间隔超限 2026-10-04 00:00–2026-10-07 00:00（3 天（4,320 分钟））"
    ) in verdict.evidence
    assert verdict.credit_amount == D("100.00")


def test_max_gap_counts_from_the_last_heartbeat_before_the_period() -> None:
    # the last backup before October was on 28 Sep: 28 Sep → 2 Oct is 4 days
    data = TargetData(heartbeats=[at(28, month=9), *BACKUPS[:2]])
    verdict = judge(BACKUP, data, now=at(5))
    assert verdict.figure == D(4 * 86_400)
    assert any("last heartbeat before the period, 2026-09-28 00:00" in x for x in verdict.evidence)
    # without it, the first gap runs from the period's start: 1 day; 4 → 5 Oct is 1 day
    assert judge(BACKUP, TargetData(heartbeats=BACKUPS[:2]), now=at(5)).met is True


def test_max_gap_with_the_long_gap_exempt() -> None:
    outage = Interval(at(5), at(6), ExclusionKind.FORCE_MAJEURE, "data-centre flood")
    data = TargetData(heartbeats=BACKUPS, exclusions=[outage])
    verdict = judge(BACKUP, data)
    assert verdict.met is True
    assert verdict.figure == D(2 * 86_400)


def test_max_gap_without_any_heartbeat_is_missed() -> None:
    verdict = judge(BACKUP, TargetData())
    assert verdict.met is False
    assert verdict.figure == D(31 * 86_400)


EVERY_2_DAYS = TargetSpec(
    TargetKind.FREQUENCY_SHARE, dt.timedelta(days=2), flat_credit=D(1), name="backup share"
)


def test_frequency_share_in_wall_clock_time_on_24x7() -> None:
    # 1, 3, 5 … 29 Oct: every interval of 2 days from 1 Oct 00:00 holds one, but 9 Oct's.
    beats = [at(d, 3) for d in range(1, 31, 2) if d != 9]
    verdict = judge(EVERY_2_DAYS, TargetData(heartbeats=beats))
    assert (verdict.met, verdict.count) == (False, 1)
    assert verdict.figure == D("93.3333")  # 14 of 15 intervals
    assert any("2026-10-09 00:00–2026-10-11 00:00" in line for line in verdict.evidence)


def test_frequency_share_skips_announced_maintenance() -> None:
    # The backups stop during a window 9–11 Oct: the interval that held the window is
    # stretched by it, so no interval lacks a backup.
    beats = [at(d, 3) for d in range(1, 31, 2) if d != 9]
    window = Interval(at(9), at(11), ExclusionKind.ANNOUNCED_MAINTENANCE, "storage migration")
    verdict = judge(EVERY_2_DAYS, TargetData(heartbeats=beats, exclusions=[window]))
    assert verdict.met is True, verdict.evidence
    assert verdict.count == 0


def test_frequency_share_counts_service_time_on_its_calendar() -> None:
    # "Every 2 working days" on a 5x8 calendar: a backup each Tuesday and Thursday
    # evening and none at weekends misses nothing; wall-clock intervals would miss.
    five_by_eight = builtin_calendar("cn-5x8")
    every = TargetSpec(
        TargetKind.FREQUENCY_SHARE, dt.timedelta(hours=16), flat_credit=D(1), name="2 wd"
    )
    # November 2026: no holidays after the first week; from Monday 9 Nov.
    period = Period(at(9, month=11), at(28, month=11))
    beats = [
        at(d, 12, month=11) for d in range(9, 28) if dt.date(2026, 11, d).weekday() in (0, 2, 4)
    ]
    now = at(30, month=11)
    on_calendar = judge(
        every, TargetData(heartbeats=beats), period=period, calendar=five_by_eight, now=now
    )
    assert on_calendar.met is True, on_calendar.evidence
    wall_clock = judge(every, TargetData(heartbeats=beats), period=period, now=now)
    assert wall_clock.met is False


def test_frequency_share_with_the_whole_rest_of_the_period_excluded_ends() -> None:
    beats = [at(1, 3)]
    rest = Interval(at(2), at(31, 23, 59), ExclusionKind.FORCE_MAJEURE, "flood")
    verdict = judge(EVERY_2_DAYS, TargetData(heartbeats=beats, exclusions=[rest]))
    assert verdict.figure == D(100)


# --- summaries and periods --------------------------------------------------------------


def test_summarise_caps_the_credit_at_100_percent() -> None:
    bad = judge(AVAILABILITY, TargetData(downtime=[Interval(at(1), at(20))]))  # 25 %
    gap = judge(TargetSpec(TargetKind.MAX_GAP, H, flat_credit=D(90)), TargetData())  # 90 %
    ok = judge(AVAILABILITY, TargetData())
    unknown = judge(TargetSpec(TargetKind.MIN_COUNT, 1), TargetData())
    assert summarise([bad, gap]) == Summary(False, D(100), D("10000.00"))
    assert summarise([ok, bad]) == Summary(False, D(25), D("2500.00"))
    assert summarise([ok, unknown]) == Summary(None, D(0), D("0.00"))
    assert summarise([ok, ok]) == Summary(True, D(0), D("0.00"))
    assert summarise([]) == Summary(None, D(0), D("0.00"))
    other_fee = judge(AVAILABILITY, TargetData(), fee=D(5))
    with pytest.raises(ValueError, match="different fees"):
        summarise([ok, other_fee])


def test_credit_amount_is_rounded_half_up_to_the_cent() -> None:
    verdict = judge(AVAILABILITY, TargetData(downtime=[OUTAGE]), fee=D("333.35"))
    assert verdict.credit_amount == D("33.34")  # 33.335 → 33.34


@pytest.mark.parametrize(
    ("period", "label", "start", "length"),
    [
        (
            month_period(2026, 10, "Asia/Shanghai"),
            "2026-10",
            "2026-09-30T16:00:00+00:00",
            dt.timedelta(days=31),
        ),
        (month_period(2026, 12, SH), "2026-12", "2026-11-30T16:00:00+00:00", dt.timedelta(days=31)),
        # Berlin's October has the extra hour of the clocks going back
        (
            month_period(2026, 10, "Europe/Berlin"),
            "2026-10",
            "2026-09-30T22:00:00+00:00",
            dt.timedelta(days=31, hours=1),
        ),
        (
            quarter_period(2026, 4, "Asia/Shanghai"),
            "2026-Q4",
            "2026-09-30T16:00:00+00:00",
            dt.timedelta(days=92),
        ),
        (
            year_period(2026, "Asia/Shanghai"),
            "2026",
            "2025-12-31T16:00:00+00:00",
            dt.timedelta(days=365),
        ),
    ],
)
def test_calendar_periods(period: Period, label: str, start: str, length: dt.timedelta) -> None:
    assert period.label == label
    assert period.start.isoformat() == start
    assert period.end - period.start == length


# --- refusals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TargetSpec("uptime", D(99)), "unknown target kind 'uptime'"),  # type: ignore[arg-type]
        (lambda: TargetSpec(TargetKind.AVAILABILITY, 99.9), "must be a Decimal"),  # type: ignore[arg-type]
        (lambda: TargetSpec(TargetKind.AVAILABILITY, D(101)), "within 0..100"),
        (lambda: TargetSpec(TargetKind.AVAILABILITY, D(0)), "above 0"),
        (lambda: TargetSpec(TargetKind.AVAILABILITY), "must be a Decimal"),
        (lambda: TargetSpec(TargetKind.MAX_DOWNTIME, D(60)), "must be a timedelta >= 0"),
        (lambda: TargetSpec(TargetKind.MAX_GAP, dt.timedelta(0)), "timedelta > 0"),
        (lambda: TargetSpec(TargetKind.RESPONSE_TIME), "needs a limit per priority"),
        (lambda: TargetSpec(TargetKind.RESPONSE_TIME, limits={"P1": -H}), "timedelta > 0"),
        (
            lambda: TargetSpec(TargetKind.AVAILABILITY, D(99), limits={"P1": H}),
            "response_time targets only",
        ),
        (lambda: TargetSpec(TargetKind.MIN_COUNT, 10, tiers=TIERS), "惩罚档仅适用于"),
        (
            lambda: TargetSpec(
                TargetKind.AVAILABILITY,
                D(99),
                tiers=(PenaltyTier(D(99), D(25)), PenaltyTier(D(98), D(10))),
            ),
            "must give at least the credit",
        ),
        (lambda: PenaltyTier(D(99), D(120)), "tier credit percent 120"),
        (lambda: Period(at(2), at(1)), "must be before its end"),
        (lambda: Period(dt.datetime(2026, 10, 1), at(2)), "aware"),  # noqa: DTZ001
        (lambda: month_period(2026, 13, SH), "month 13"),
        (lambda: month_period(2026, 1, "Mars/Olympus"), "unknown time zone"),
        (lambda: ClockSample("A", "P1", at(2), at(1)), "before it starts"),
        (lambda: CountSample(at(1), 1.5), "must be a Decimal"),  # type: ignore[arg-type]
        (lambda: TargetData(downtime=OUTAGE), "must be a sequence of Interval"),  # type: ignore[arg-type]
    ],
)
def test_bad_specs_are_refused(build: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        build()  # type: ignore[operator]
    assert " / " in str(caught.value)  # both languages


@pytest.mark.parametrize(
    ("target", "data", "kwargs", "message"),
    [
        (AVAILABILITY, TargetData(), {"fee": D(-1)}, "fee -1"),
        (AVAILABILITY, TargetData(), {"fee": 100.0}, "fee 100.0 must be a Decimal"),
        (AVAILABILITY, TargetData(), {"now": dt.datetime(2026, 11, 5)}, "now"),  # noqa: DTZ001
        (
            RESPONSE,
            TargetData(clocks=[ClockSample("X", "P9", at(2))]),
            {},
            "priority 'P9' with no limit",
        ),
        (
            RESPONSE,
            TargetData(clocks=[ClockSample("X", "P1", at(2), at(6))]),
            {"now": at(5)},
            "after now",
        ),
        (BACKUP, TargetData(heartbeats=[at(6)]), {"now": at(5)}, "after now"),
        (BACKUP, TargetData(last_heartbeat_before=at(1)), {}, "is not before the period"),
    ],
)
def test_bad_evaluations_are_refused(
    target: TargetSpec, data: TargetData, kwargs: dict[str, object], message: str
) -> None:
    args: dict[str, object] = {
        "calendar": builtin_calendar("24x7"),
        "fee": FEE,
        "now": AFTER_OCTOBER,
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        evaluate(target, OCTOBER, data, **args)  # type: ignore[arg-type]


# --- properties -------------------------------------------------------------------------


@st.composite
def spells(draw: st.DrawFn, kind: str = "") -> list[Interval]:
    out = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, 44_000))
        length = draw(st.integers(1, 600))
        out.append(
            Interval(OCTOBER.start + start * MIN, OCTOBER.start + (start + length) * MIN, kind)
        )
    return out


CALENDARS = st.sampled_from(["24x7", "cn-5x8"])


@settings(max_examples=60, deadline=None)
@given(spells("downtime"), spells("downtime"), spells("force_majeure"), CALENDARS)
def test_more_downtime_never_raises_availability_nor_lowers_the_credit(
    down: list[Interval], more: list[Interval], excl: list[Interval], calendar: str
) -> None:
    before = judge(AVAILABILITY, TargetData(downtime=down, exclusions=excl), calendar=calendar)
    after = judge(
        AVAILABILITY, TargetData(downtime=[*down, *more], exclusions=excl), calendar=calendar
    )
    assert before.figure is not None and after.figure is not None
    assert after.figure <= before.figure
    assert after.credit_percent >= before.credit_percent
    assert after.credit_amount >= before.credit_amount


@settings(max_examples=60, deadline=None)
@given(spells("downtime"), spells("force_majeure"), st.data(), CALENDARS)
def test_exempting_downtime_never_lowers_availability(
    down: list[Interval], excl: list[Interval], data: st.DataObject, calendar: str
) -> None:
    # An exclusion that lies inside downtime can only help. (Exempting time when the
    # service was *up* can lower the figure: it removes good minutes from the measure.)
    inside = [i for i in down if data.draw(st.booleans())]
    before = judge(AVAILABILITY, TargetData(downtime=down, exclusions=excl), calendar=calendar)
    after = judge(
        AVAILABILITY, TargetData(downtime=down, exclusions=[*excl, *inside]), calendar=calendar
    )
    assert before.figure is not None and after.figure is not None
    assert after.figure >= before.figure
    assert after.credit_percent <= before.credit_percent
    # and any exclusion never adds downtime
    limit = TargetSpec(TargetKind.MAX_DOWNTIME, H)
    more = judge(limit, TargetData(downtime=down, exclusions=[*excl, *inside]), calendar=calendar)
    less = judge(limit, TargetData(downtime=down, exclusions=excl), calendar=calendar)
    if more.figure is not None and less.figure is not None:
        assert more.figure <= less.figure


@settings(max_examples=60, deadline=None)
@given(spells("downtime"), spells("announced_maintenance"))
def test_measured_and_excluded_time_add_up_to_the_period(
    down: list[Interval], excl: list[Interval]
) -> None:
    verdict = judge(AVAILABILITY, TargetData(downtime=down, exclusions=excl))
    assert verdict.measured + verdict.excluded_time == 44_640 * MIN
    assert len(verdict.excluded) == len(excl)  # every exclusion is shown
