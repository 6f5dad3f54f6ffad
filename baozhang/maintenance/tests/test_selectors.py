"""What the monitoring ingest and the SLA figures ask of maintenance."""

from __future__ import annotations

import datetime as dt

from baozhang.core.intervals import Interval
from baozhang.maintenance import selectors, services
from baozhang.monitoring import windows

from .conftest import NIGHT, NOW

H = dt.timedelta(hours=1)


def test_monitors_of_the_services_in_a_window_are_in_maintenance_only_during_it(
    personas, service_factory, window_factory
):
    hosting = service_factory(personas.org_a, monitors=2)
    other = service_factory(personas.org_b)
    window = window_factory([hosting])
    mine = set(hosting.monitors.values_list("pk", flat=True))

    assert windows.monitors_in_maintenance(NIGHT - dt.timedelta(seconds=1)) == set()
    assert windows.monitors_in_maintenance(NIGHT) == mine
    assert windows.monitors_in_maintenance(window.end - dt.timedelta(seconds=1)) == mine
    assert windows.monitors_in_maintenance(window.end) == set()  # [start, end)
    assert not mine & set(other.monitors.values_list("pk", flat=True))


def test_a_cancelled_window_puts_nothing_in_maintenance(personas, window_factory):
    window = window_factory()
    services.cancel(personas.engineer, window, "取消", now=NOW)
    assert windows.monitors_in_maintenance(NIGHT + H) == set()
    monitor_id = window.services.get().monitors.get().pk
    assert windows.windows_for_monitors([monitor_id], NIGHT, NIGHT + 4 * H) == {monitor_id: []}


def test_windows_are_clipped_to_the_period_asked_for(personas, service_factory, window_factory):
    hosting = service_factory(personas.org_a)
    spare = service_factory(personas.org_a)
    monitor = hosting.monitors.get()
    monitor.services.add(spare)  # one monitor, two services, both in the same window
    window_factory([hosting, spare])  # 02:00–06:00
    late = window_factory([hosting], title="二次割接", start=NIGHT + 20 * H, end=NIGHT + 26 * H)

    # the day of 2026-10-15 in Shanghai: the second window is cut at midnight
    day_start, day_end = NIGHT - 2 * H, NIGHT + 22 * H
    found = windows.windows_for_monitors([monitor.pk, 999_999], day_start, day_end)
    assert found == {
        monitor.pk: [
            Interval(NIGHT, NIGHT + 4 * H, "maintenance", "核心交换机升级"),
            Interval(NIGHT + 20 * H, day_end, "maintenance", "二次割接"),
        ],
        999_999: [],
    }

    # from 03:00 to the next noon: both, the first cut at 03:00
    found = windows.windows_for_monitors([monitor.pk], NIGHT + H, NIGHT + 34 * H)
    assert found[monitor.pk] == [
        Interval(NIGHT + H, NIGHT + 4 * H, "maintenance", "核心交换机升级"),
        Interval(late.start, late.end, "maintenance", "二次割接"),
    ]
    by_service = selectors.windows_for_services([hosting.pk, spare.pk], NIGHT + H, NIGHT + 23 * H)
    assert by_service == {
        hosting.pk: [
            Interval(NIGHT + H, NIGHT + 4 * H, "maintenance", "核心交换机升级"),
            Interval(late.start, NIGHT + 23 * H, "maintenance", "二次割接"),
        ],
        spare.pk: [Interval(NIGHT + H, NIGHT + 4 * H, "maintenance", "核心交换机升级")],
    }


def test_upcoming_lists_windows_in_progress_and_ahead_within_the_horizon(personas, window_factory):
    soon = window_factory()
    far = window_factory(
        title="远期",
        start=NIGHT + dt.timedelta(days=40),
        end=NIGHT + dt.timedelta(days=40, hours=1),
    )
    assert list(selectors.upcoming(NOW)) == [soon]
    assert list(selectors.upcoming(NIGHT + H)) == [soon]  # in progress
    assert list(selectors.upcoming(NOW, days=60)) == [soon, far]
    assert list(selectors.upcoming(soon.end)) == []
