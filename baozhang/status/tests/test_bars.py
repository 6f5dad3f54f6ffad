"""The 90 daily bars and the 90-day uptime, checked against hand calculations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from baozhang.maintenance import services as maintenance
from baozhang.status import selectors
from baozhang.status.selectors import DayState, ServiceState, service_state

from .conftest import SH, outage

NOW = dt.datetime(2026, 10, 20, 12, 0, tzinfo=SH)
SINCE = dt.datetime(2026, 10, 1, 0, 0, tzinfo=SH)


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, minute, tzinfo=SH)


def _days(service, now=NOW):  # type: ignore[no-untyped-def]
    _statuses, uptimes = selectors.public_uptime([service.pk], now)
    up = uptimes[service.pk]
    return {d.date.isoformat(): d for d in up.days}, up


def test_one_hour_down_on_one_day_is_95_833_percent_that_day(service_factory):
    hosting = service_factory(up_since=SINCE)
    outage(hosting.monitors.get(), _at(15, 10), _at(15, 11))

    days, up = _days(hosting)

    assert len(days) == 90
    assert min(days) == "2026-07-23" and max(days) == "2026-10-20"  # day boundaries in Shanghai
    bad = days["2026-10-15"]
    assert bad.state == DayState.DOWN
    assert bad.downtime == dt.timedelta(hours=1)
    assert bad.percent.quantize(Decimal("0.001")) == Decimal("95.833")  # 23 / 24
    assert days["2026-10-14"].percent == 100 and days["2026-10-14"].state == DayState.UP
    # today counts up to now only: 12 hours, all up
    assert days["2026-10-20"].percent == 100
    # before the monitor had any state: no data, grey
    assert days["2026-09-30"].state == DayState.NO_DATA and days["2026-09-30"].percent is None
    # 90 days: 19.5 days observed (468 h), 1 h down: 467 / 468
    assert selectors._percent(up.percent) == "99.786"
    assert up.downtime == dt.timedelta(hours=1)


def test_a_day_counts_down_time_while_any_monitor_of_the_service_was_down(service_factory):
    hosting = service_factory(monitors=2, up_since=SINCE)
    first, second = hosting.monitors.order_by("pk")
    outage(first, _at(15, 10), _at(15, 11))
    outage(second, _at(15, 10, 30), _at(15, 11, 30))  # overlapping: 1.5 h in all

    days, _up = _days(hosting)

    assert days["2026-10-15"].downtime == dt.timedelta(hours=1, minutes=30)
    assert days["2026-10-15"].percent == Decimal("93.75")  # 22.5 / 24


def test_maintenance_is_excluded_from_the_day_and_shown_as_such(personas, service_factory):
    hosting = service_factory(up_since=SINCE)
    monitor = hosting.monitors.get()
    maintenance.schedule(
        personas.engineer,
        title="核心交换机升级",
        services=[hosting],
        start=_at(16, 2),
        end=_at(16, 6),
        now=_at(14, 9),
    )
    outage(monitor, _at(16, 3), _at(16, 4))  # down inside the window: does not count
    outage(monitor, _at(17, 2), _at(17, 3), state="maintenance")  # the ingest's own spell

    days, up = _days(hosting)

    window_day = days["2026-10-16"]
    assert window_day.state == DayState.UP
    assert window_day.percent == 100 and window_day.downtime == dt.timedelta(0)
    assert window_day.maintenance == dt.timedelta(hours=4)
    assert days["2026-10-17"].maintenance == dt.timedelta(hours=1)
    assert days["2026-10-17"].percent == 100
    assert up.maintenance == dt.timedelta(hours=5)
    assert up.downtime == dt.timedelta(0)


def test_a_day_all_in_maintenance_is_a_maintenance_bar(personas, service_factory):
    hosting = service_factory(up_since=SINCE)
    maintenance.schedule(
        personas.engineer,
        title="机房搬迁",
        services=[hosting],
        start=_at(16, 0),
        end=_at(17, 0),
        now=_at(14, 0),
    )
    days, _up = _days(hosting)
    assert days["2026-10-16"].state == DayState.MAINTENANCE
    assert days["2026-10-16"].percent is None


def test_a_service_whose_monitors_have_no_spells_has_no_data(service_factory):
    silent = service_factory()
    days, up = _days(silent)
    assert {d.state for d in days.values()} == {DayState.NO_DATA}
    assert up.percent is None


def test_a_monitor_started_mid_day_counts_only_the_time_it_watched(service_factory):
    hosting = service_factory(up_since=_at(10, 12))
    days, _up = _days(hosting)
    assert days["2026-10-10"].percent == 100 and days["2026-10-10"].state == DayState.UP
    assert days["2026-10-09"].state == DayState.NO_DATA


def test_the_state_now_follows_the_monitors():
    assert service_state([], False) == ServiceState.NO_DATA
    assert service_state(["unknown"], False) == ServiceState.NO_DATA
    assert service_state(["up", "up"], False) == ServiceState.OPERATIONAL
    assert service_state(["up", "down"], False) == ServiceState.PARTIAL_OUTAGE
    assert service_state(["down", "down"], False) == ServiceState.MAJOR_OUTAGE
    assert service_state(["up", "maintenance"], False) == ServiceState.MAINTENANCE
    assert service_state(["up"], True) == ServiceState.MAINTENANCE
    assert service_state(["down", "maintenance"], True) == ServiceState.PARTIAL_OUTAGE
    assert (
        selectors.overall_state(
            [ServiceState.OPERATIONAL, ServiceState.NO_DATA, ServiceState.PARTIAL_OUTAGE]
        )
        == ServiceState.PARTIAL_OUTAGE
    )
    assert selectors.overall_state([]) == ServiceState.NO_DATA
