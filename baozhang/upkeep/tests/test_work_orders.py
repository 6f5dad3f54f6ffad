"""A monthly UPS plan produces its work orders; a value outside the range fails the step and
opens a fault; the acceptance cannot be signed by the performer; a corrected record shows
both versions (issue 19 §3, as it will be checked)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.incidents.models import Classification, Incident
from baozhang.upkeep import selectors, services
from baozhang.upkeep.models import OrderStatus, Outcome, WorkOrder

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=SH)


def test_a_monthly_ups_plan_produces_its_work_orders_once(ups_plan, ups, personas):
    plan = ups_plan()
    # 26 November with 7 days' lead: November's work (running) and December's (ahead).
    assert services.generate(NOW) == 2
    orders = list(WorkOrder.objects.filter(plan=plan).order_by("period_start"))
    assert [(o.period_start, o.period_end) for o in orders] == [
        (dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        (dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
    ]
    assert orders[1].due_at == dt.datetime(2026, 12, 11, tzinfo=SH)
    assert orders[1].warn_at == dt.datetime(2026, 12, 10, tzinfo=SH)
    assert all(o.asset == ups and o.assignee == personas.engineer for o in orders)
    # Generating again, by the job or by hand, adds nothing.
    assert services.generate(NOW) == 0
    assert services.generate(NOW + dt.timedelta(hours=1)) == 0
    assert WorkOrder.objects.filter(plan=plan).count() == 2


def test_a_year_ahead_on_two_assets(ups_plan, ups, personas):
    from baozhang.assets import services as assets

    second = assets.create_asset(
        personas.engineer, name="UPS-2", kind="ups", owner=personas.operator
    )
    plan = ups_plan(assets=[ups, second])
    assert services.generate(NOW, until=dt.date(2027, 11, 30)) == 2 * 13
    assert services.generate(NOW, until=dt.date(2027, 11, 30)) == 0
    assert WorkOrder.objects.filter(plan=plan, asset=second).count() == 13


def _order(ups_plan):
    ups_plan()
    services.generate(NOW)
    return WorkOrder.objects.get(period_start=dt.date(2026, 11, 1))


def test_a_value_outside_the_range_fails_the_step_and_opens_a_fault(ups_plan, ups, personas):
    order = _order(ups_plan)
    record = services.record_work(
        personas.engineer,
        order,
        values={1: "12.9", 2: "22.5", 3: "yes"},
        remarks="Battery 3 swollen",
        sign=True,
        now=NOW,
    )
    outcomes = [(r.title, r.outcome) for r in record.readings.order_by("position")]
    assert outcomes == [
        ("Battery float voltage / 电池浮充电压", Outcome.FAIL),
        ("Room temperature / 机房温度", Outcome.PASS),
        ("Fans running / 风扇运转", Outcome.PASS),
    ]
    assert record.readings.get(position=1).requirement_text == "13.2–13.8 V"
    fault = Incident.objects.get(assets=ups)
    assert fault.classification == Classification.EQUIPMENT_FAULT
    assert order.reference in fault.title and "12.9" in fault.updates.first().message
    assert fault.detected_at == NOW
    order.refresh_from_db()
    assert order.status == OrderStatus.RECORDED and order.performed_by == personas.engineer


def test_the_acceptance_cannot_be_signed_by_the_performer(ups_plan, personas, engineer2):
    order = _order(ups_plan)
    with pytest.raises(ValidationError, match="nothing to accept"):
        services.accept(engineer2, order)
    services.record_work(personas.engineer, order, values={1: "13.5", 2: "21", 3: "yes"}, sign=True)
    with pytest.raises(ValidationError, match="did not perform"):
        services.accept(personas.engineer, order)
    with pytest.raises(PermissionDenied):
        services.accept(personas.agent, order)
    services.accept(engineer2, order, remark="OK")
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert (order.accepted_by, order.accepted_version) == (engineer2, 1)


def test_a_corrected_record_shows_both_versions(ups_plan, personas, engineer2):
    order = _order(ups_plan)
    services.record_work(personas.engineer, order, values={1: "13.5", 2: "", 3: "yes"}, sign=True)
    with pytest.raises(ValidationError, match="reason"):
        services.record_work(personas.engineer, order, values={1: "13.4", 2: "21", 3: "yes"})
    services.record_work(
        personas.engineer,
        order,
        values={1: "13.4", 2: "21", 3: "yes"},
        reason="Temperature read off the wall sensor afterwards",
    )
    first, second = selectors.versions(order)
    assert (first.version, second.version) == (1, 2)
    assert [r.outcome for r in first.readings.all()] == [
        Outcome.PASS,
        Outcome.MISSING,
        Outcome.PASS,
    ]
    assert first.readings.get(position=1).number == Decimal("13.5")
    assert second.reason.startswith("Temperature")
    assert second.readings.get(position=2).number == Decimal("21")
    # The person who corrected it is among those who may not accept it.
    with pytest.raises(ValidationError):
        services.accept(personas.engineer, order)


def test_a_fault_is_announced_once_while_the_step_keeps_failing(ups_plan, ups, personas):
    order = _order(ups_plan)
    services.record_work(personas.engineer, order, values={1: "12", 2: "21", 3: "no"}, sign=True)
    assert Incident.objects.filter(assets=ups).count() == 2  # voltage and fans
    services.record_work(
        personas.engineer, order, values={1: "12.1", 2: "21", 3: "no"}, reason="re-measured"
    )
    assert Incident.objects.filter(assets=ups).count() == 2


def test_bad_values_are_refused_naming_the_step_and_nothing_is_written(ups_plan, personas):
    order = _order(ups_plan)
    with pytest.raises(ValidationError) as exc:
        services.record_work(personas.engineer, order, values={1: "abc", 3: "maybe", 9: "1"})
    errors = exc.value.message_dict
    assert "not a number" in errors["step_1"][0] and "not yes or no" in errors["step_3"][0]
    assert "no step 9" in errors["values"][0]
    assert not order.records.exists()


def test_photos_are_kept_with_the_record_and_other_files_refused(ups_plan, personas):
    order = _order(ups_plan)
    with translation.override("en"), pytest.raises(ValidationError, match="not a photo"):
        services.record_work(
            personas.engineer, order, values={}, photos=[("x.exe", "application/x-dosexec", b"MZ")]
        )
    record = services.record_work(
        personas.engineer, order, values={}, photos=[("ups.jpg", "image/jpeg", b"\xff\xd8jpeg")]
    )
    photo = record.photos.get()
    assert photo.filename == "ups.jpg" and photo.file.read() == b"\xff\xd8jpeg"


def test_completeness_lists_missing_values_signatures_and_late_records(
    ups_plan, personas, engineer2
):
    order = _order(ups_plan)
    december = WorkOrder.objects.get(period_start=dt.date(2026, 12, 1))
    late_time = order.due_at + dt.timedelta(days=2)
    services.record_work(personas.engineer, order, values={1: "13.5"}, now=late_time)
    found = selectors.completeness(late_time)
    assert [(r["order"], r["steps"]) for r in found.missing_values] == [
        (order, ["Room temperature / 机房温度", "Fans running / 风扇运转"])
    ]
    assert [(r["order"], r["missing"]) for r in found.missing_signatures] == [(order, "performer")]
    assert [r["order"] for r in found.late] == [order]
    assert december not in [r["order"] for r in found.late]
    services.record_work(
        personas.engineer,
        order,
        values={1: "13.5", 2: "20", 3: "yes"},
        sign=True,
        reason="completed",
        now=late_time,
    )
    found = selectors.completeness(late_time)
    assert found.missing_values == []
    assert [(r["order"], r["missing"]) for r in found.missing_signatures] == [(order, "acceptance")]
    assert found.late[0]["signed_at"] == late_time
    services.accept(engineer2, order, now=late_time)
    assert selectors.completeness(late_time).missing_signatures == []
    services.record_work(
        personas.engineer, order, values={1: "13.6"}, reason="re-read", now=late_time
    )
    again = selectors.completeness(late_time).missing_signatures
    assert [(r["order"], r["missing"]) for r in again] == [(order, "acceptance_of_correction")]


def test_a_plan_that_says_nothing_is_refused(personas, ups):
    with pytest.raises(ValidationError) as exc:
        services.create_plan(
            personas.director,
            assets=[],
            team=[],
            steps=[{"title": "V", "requirement": "range"}],
            item="",
            period="every_n_days",
            starts_on=dt.date(2026, 1, 1),
            team_name="",
            time_limit_days=0,
            calendar_key="nowhere",
        )
    errors = exc.value.message_dict
    assert {"item", "every_days", "time_limit_days", "team_name", "steps", "calendar_key"} <= set(
        errors
    )
    assert "low or a high bound" in errors["steps"][0]


def test_a_plan_and_its_work_order_are_recorded_in_each_readers_language(
    ups_plan, personas, engineer2
):
    order = _order(ups_plan)
    services.record_work(personas.engineer, order, values={1: "13.5", 2: "", 3: "yes"}, sign=True)
    services.record_work(
        personas.engineer, order, values={1: "13.4", 2: "21", 3: "yes"}, reason="read again"
    )
    services.accept(engineer2, order)
    said = [reads(e) for e in Event.objects.exclude(summary_id="").order_by("pk")]
    assert ("维护作业计划已建立", "maintenance plan created") in said
    assert said[-3:] == [
        ("原始记录已填写", "original record written"),
        ("原始记录已更正", "original record corrected"),
        ("工单已验收", "work order accepted"),
    ]
