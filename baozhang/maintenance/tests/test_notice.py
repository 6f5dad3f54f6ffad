"""T3: customers are told at least 24 hours before their service is worked on."""

from __future__ import annotations

import datetime as dt

import pytest

from baozhang.maintenance import services
from baozhang.maintenance.models import MaintenanceWindow

from .conftest import NOW


def test_a_start_less_than_24_hours_ahead_is_refused_saying_the_notice_and_earliest_start(
    personas, service_factory
):
    hosting = service_factory(personas.org_a)
    with pytest.raises(services.Refusal) as refused:
        services.schedule(
            personas.engineer,
            title="紧急补丁",
            services=[hosting],
            start=NOW + dt.timedelta(hours=20),
            end=NOW + dt.timedelta(hours=22),
            now=NOW,
        )
    text = str(refused.value)
    assert refused.value.field == "start"
    assert "只提前了 20 小时" in text and "only 20 h" in text
    # the earliest start allowed, in the customers' time zone, in both languages
    assert "最早可于 2026-10-13 10:00 (UTC+08:00)" in text
    assert "earliest start allowed is 2026-10-13 10:00 (UTC+08:00)" in text
    assert not MaintenanceWindow.objects.exists()


def test_a_start_exactly_24_hours_ahead_is_accepted(personas, service_factory):
    hosting = service_factory(personas.org_a)
    window = services.schedule(
        personas.engineer,
        title="升级",
        services=[hosting],
        start=NOW + dt.timedelta(hours=24),
        end=NOW + dt.timedelta(hours=26),
        now=NOW,
    )
    assert window.announced_at == NOW and not window.is_emergency


def test_emergency_maintenance_with_a_reason_may_start_at_once(personas, service_factory):
    hosting = service_factory(personas.org_a)
    window = services.schedule(
        personas.engineer,
        title="紧急修复",
        services=[hosting],
        start=NOW + dt.timedelta(minutes=10),
        end=NOW + dt.timedelta(hours=1),
        is_emergency=True,
        emergency_reason="存储阵列控制器告警，需立即更换 / storage controller failing",
        now=NOW,
    )
    assert window.is_emergency
    assert window.emergency_reason.startswith("存储阵列")


@pytest.mark.parametrize("reason", ["", "   "])
def test_emergency_maintenance_without_a_reason_is_refused(personas, service_factory, reason):
    hosting = service_factory(personas.org_a)
    with pytest.raises(services.Refusal) as refused:
        services.schedule(
            personas.engineer,
            title="紧急修复",
            services=[hosting],
            start=NOW + dt.timedelta(hours=1),
            end=NOW + dt.timedelta(hours=2),
            is_emergency=True,
            emergency_reason=reason,
            now=NOW,
        )
    assert refused.value.field == "emergency_reason"
    assert "emergency maintenance needs a reason" in str(refused.value)


def test_emergency_maintenance_cannot_be_back_dated_to_cover_a_past_outage(
    personas, service_factory
):
    hosting = service_factory(personas.org_a)
    with pytest.raises(services.Refusal, match="in the past"):
        services.schedule(
            personas.engineer,
            title="补登",
            services=[hosting],
            start=NOW - dt.timedelta(hours=3),
            end=NOW + dt.timedelta(hours=1),
            is_emergency=True,
            emergency_reason="补登 / after the fact",
            now=NOW,
        )


def test_a_window_needs_services_and_an_end_after_its_start(personas, service_factory):
    hosting = service_factory(personas.org_a)
    start = NOW + dt.timedelta(days=2)
    with pytest.raises(services.Refusal, match="at least one affected service"):
        services.schedule(
            personas.engineer, title="x", services=[], start=start, end=start, now=NOW
        )
    with pytest.raises(services.Refusal, match="must be after the start") as refused:
        services.schedule(
            personas.engineer, title="x", services=[hosting], start=start, end=start, now=NOW
        )
    assert refused.value.field == "end"


def test_moving_a_window_closer_than_24_hours_is_refused_but_shortening_it_is_not(
    personas, window_factory
):
    window = window_factory()  # Thursday 02:00–06:00, announced on Monday
    tuesday = window.start - dt.timedelta(hours=30)
    with pytest.raises(services.Refusal, match="24 hours"):
        services.reschedule(
            personas.engineer,
            window,
            start=tuesday + dt.timedelta(hours=2),
            end=tuesday + dt.timedelta(hours=4),
            now=tuesday,
        )
    # The night before, the work turns out shorter: no new time, no notice needed.
    night_before = window.start - dt.timedelta(hours=3)
    shorter = services.reschedule(
        personas.engineer,
        window,
        start=window.start,
        end=window.start + dt.timedelta(hours=2),
        now=night_before,
    )
    assert shorter.end - shorter.start == dt.timedelta(hours=2)
    # ... but running longer than announced is new maintenance time, announced too late.
    with pytest.raises(services.Refusal, match="24 hours"):
        services.reschedule(
            personas.engineer,
            window,
            start=window.start,
            end=window.start + dt.timedelta(hours=6),
            now=night_before,
        )


def test_a_window_in_progress_keeps_its_start_and_may_end_early(personas, window_factory):
    window = window_factory()
    during = window.start + dt.timedelta(hours=1)
    with pytest.raises(services.Refusal, match="its start cannot change"):
        services.reschedule(
            personas.engineer,
            window,
            start=window.start + dt.timedelta(minutes=30),
            end=window.end,
            now=during,
        )
    with pytest.raises(services.Refusal, match="cannot be cancelled"):
        services.cancel(personas.engineer, window, "做完了", now=during)
    done = services.reschedule(
        personas.engineer, window, start=window.start, end=during, now=during
    )
    assert done.end == during


def test_the_refusal_speaks_in_whole_minutes_and_names_an_allowed_start(personas, service_factory):
    hosting = service_factory(personas.org_a)
    now = NOW + dt.timedelta(seconds=17, microseconds=5)
    with pytest.raises(services.Refusal) as refused:
        services.schedule(
            personas.engineer,
            title="x",
            services=[hosting],
            start=NOW + dt.timedelta(hours=3),
            end=NOW + dt.timedelta(hours=4),
            now=now,
        )
    text = str(refused.value)
    assert "only 2 h 59 min (179 min) of notice" in text
    assert "earliest start allowed is 2026-10-13 10:01 (UTC+08:00)" in text
    window = services.schedule(
        personas.engineer,
        title="x",
        services=[hosting],
        start=dt.datetime(2026, 10, 13, 10, 1, tzinfo=NOW.tzinfo),
        end=NOW + dt.timedelta(days=2),
        now=now,
    )
    assert window.pk
