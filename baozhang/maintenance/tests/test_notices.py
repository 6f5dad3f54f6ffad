"""F6: the customers of the affected services are told, in their language, at once."""

from __future__ import annotations

import datetime as dt

import pytest

from baozhang.accounts.models import OrganisationKind
from baozhang.events.models import Event
from baozhang.maintenance import services
from baozhang.maintenance.models import WindowStatus
from baozhang.maintenance.tasks import complete_ended_windows
from baozhang.notify.models import Channel, Message

from .conftest import NIGHT, NOW


@pytest.fixture
def shared(personas, service_factory, channels):  # type: ignore[no-untyped-def]
    """Hosting used by A and B; a link used by B only; C uses neither."""
    org_c = personas.org_a.__class__.objects.create(
        name="Customer C", kind=OrganisationKind.CUSTOMER
    )
    Channel.objects.create(organisation=org_c, kind="webhook", name="C hook", config={})
    hosting = service_factory(personas.org_a, personas.org_b, name="云主机", name_en="Hosting")
    link = service_factory(personas.org_b, name="专线", name_en="Leased line")
    return hosting, link


def test_each_affected_customer_is_told_once_in_its_own_language(personas, shared, window_factory):
    hosting, link = shared
    window = window_factory(
        [hosting, link], description="更换核心交换机 / replacing the core switch"
    )

    messages = Message.objects.filter(template_key="maintenance_scheduled")
    assert {(m.organisation.name, m.language) for m in messages} == {
        (personas.org_a.name, "zh-hans"),
        ("Customer B", "en"),
    }
    a = messages.get(organisation=personas.org_a)
    assert a.subject == "【保障】计划维护通知 2026-10-15 02:00 (UTC+08:00)：核心交换机升级"
    assert "开始时间：2026-10-15 02:00 (UTC+08:00)" in a.body
    assert "结束时间：2026-10-15 06:00 (UTC+08:00)（共 4 小时）" in a.body
    assert "更换核心交换机" in a.body
    # each customer is told of its own services only
    assert "受影响服务：云主机\n" in a.body and "专线" not in a.body
    b = messages.get(organisation=personas.org_b)
    assert (
        b.subject
        == "[Baozhang] Planned maintenance 2026-10-15 02:00 (UTC+08:00): Core switch upgrade"
    )
    assert "Services: Leased line, Hosting" in b.body
    assert "Until: 2026-10-15 06:00 (UTC+08:00) (4 hours)" in b.body
    assert window.announced_at == NOW
    assert (
        Event.objects.filter(
            object_type="maintenance.maintenancewindow", object_id=str(window.pk), kind="created"
        ).count()
        == 1
    )


def test_an_emergency_notice_says_so_and_why(personas, shared, window_factory):
    hosting, _link = shared
    window_factory(
        [hosting],
        start=NOW + dt.timedelta(hours=1),
        end=NOW + dt.timedelta(hours=2),
        is_emergency=True,
        emergency_reason="电源模块故障",
    )
    a = Message.objects.get(organisation=personas.org_a)
    assert a.subject.startswith("【保障】紧急维护通知")
    assert "紧急原因：电源模块故障" in a.body
    b = Message.objects.get(organisation=personas.org_b)
    assert b.subject.startswith("[Baozhang] Emergency maintenance")
    assert "Why it cannot wait: 电源模块故障" in b.body


def test_rescheduling_tells_customers_again_with_old_and_new_times(
    personas, shared, window_factory
):
    hosting, _link = shared
    window = window_factory([hosting])
    later = NIGHT + dt.timedelta(days=1)
    services.reschedule(
        personas.engineer, window, start=later, end=later + dt.timedelta(hours=3), now=NOW
    )
    services.reschedule(
        personas.engineer, window, start=NIGHT, end=NIGHT + dt.timedelta(hours=4), now=NOW
    )
    moved = Message.objects.filter(
        template_key="maintenance_rescheduled", organisation=personas.org_b
    )
    assert moved.count() == 2  # each change is told, even back to the first times
    first = moved.order_by("id").first()
    assert "Now from: 2026-10-16 02:00 (UTC+08:00)" in first.body
    assert "Before: 2026-10-15 02:00 (UTC+08:00) – 2026-10-15 06:00 (UTC+08:00)" in first.body


def test_cancelling_tells_customers_with_the_reason(personas, shared, window_factory):
    hosting, _link = shared
    window = window_factory([hosting])
    services.cancel(personas.engineer, window, "厂商推迟发货 / vendor delayed", now=NOW)
    window.refresh_from_db()
    assert window.status == WindowStatus.CANCELLED and window.cancelled_at == NOW
    a = Message.objects.get(template_key="maintenance_cancelled", organisation=personas.org_a)
    assert a.subject == "【保障】维护已取消：核心交换机升级"
    assert "取消原因：厂商推迟发货" in a.body
    with pytest.raises(services.Refusal, match="is cancelled"):
        services.cancel(personas.engineer, window, "again", now=NOW)


def test_customers_are_told_once_when_the_window_is_over(personas, shared, window_factory):
    hosting, _link = shared
    window = window_factory([hosting])
    assert complete_ended_windows(now=window.end - dt.timedelta(minutes=1)) == 0
    assert complete_ended_windows(now=window.end) == 1
    assert complete_ended_windows(now=window.end + dt.timedelta(minutes=1)) == 0
    # a second worker holding the same row finds it claimed
    assert services.complete(window, window.end + dt.timedelta(minutes=2)) is False
    done = Message.objects.filter(template_key="maintenance_completed")
    assert sorted(m.organisation.name for m in done) == sorted([personas.org_a.name, "Customer B"])
    window.refresh_from_db()
    assert window.completed_at == window.end


def test_a_cancelled_window_is_never_announced_as_complete(personas, shared, window_factory):
    hosting, _link = shared
    window = window_factory([hosting])
    services.cancel(personas.engineer, window, "不需要了", now=NOW)
    assert complete_ended_windows(now=window.end + dt.timedelta(days=1)) == 0
    assert not Message.objects.filter(template_key="maintenance_completed").exists()
