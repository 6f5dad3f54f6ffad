"""The pages of maintenance plans and work orders, in both languages: a plan made through
its form, a work order recorded (a failed step shown as failed), corrected (both versions
shown), accepted by a second person and refused to the performer; the completeness page;
a customer's people see nothing (404)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.urls import reverse

from baozhang.upkeep import services
from baozhang.upkeep.models import OrderStatus, Plan, WorkOrder

SH = ZoneInfo("Asia/Shanghai")


def test_a_plan_is_made_through_its_form(login, personas, ups, engineer2):
    client = login(personas.director)
    assert client.get(reverse("upkeep:plan_create")).status_code == 200
    data = {
        "item": "UPS 月度巡检",
        "period": "monthly",
        "starts_on": "2026-01-01",
        "team_name": "动力班",
        "time_limit_days": "10",
        "lead_days": "7",
        "warn_hours": "24",
        "active": "on",
        "assets": [ups.pk],
        "team": [personas.engineer.pk, engineer2.pk],
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-title": "电池浮充电压",
        "steps-0-requirement": "range",
        "steps-0-low": "13.2",
        "steps-0-high": "13.8",
        "steps-0-unit": "V",
        "steps-1-title": "风扇运转",
        "steps-1-requirement": "yes_no",
        "steps-1-expected_yes": "yes",
        "steps-2-requirement": "range",
    }
    bad = client.post(reverse("upkeep:plan_create"), {**data, "steps-0-low": "14"})
    assert bad.status_code == 200
    assert "高于上限" in bad.content.decode()
    assert "above the high bound" not in bad.content.decode()  # one language at a time
    response = client.post(reverse("upkeep:plan_create"), data)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == reverse("upkeep:plan", args=[plan.pk])
    assert [s.title for s in plan.steps.all()] == ["电池浮充电压", "风扇运转"]
    page = client.get(reverse("upkeep:plan", args=[plan.pk])).content.decode()
    assert "13.2–13.8 V" in page and "UPS 月度巡检" in page
    listing = client.get(reverse("upkeep:plans"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "UPS 月度巡检" in listing


def test_record_correct_and_accept_on_the_pages(login, client, ups_plan, personas, engineer2):
    ups_plan()
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    order = WorkOrder.objects.get(period_start=dt.date(2026, 11, 1))
    url = reverse("upkeep:order", args=[order.pk])
    client = login(personas.engineer)
    form = client.get(url).content.decode()
    assert "13.2–13.8 V" in form and 'inputmode="decimal"' in form
    response = client.post(
        reverse("upkeep:order_record", args=[order.pk]),
        {"step_1": "12.9", "step_2": "22", "step_3": "yes", "remarks": "", "sign": "on"},
    )
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "uk-fail" in page and "accept-refused" in page and "accept-form" not in page
    refused = client.post(reverse("upkeep:order_accept", args=[order.pk]), {"remark": ""})
    assert refused.status_code == 302
    said = client.get(refused.url).content.decode()
    assert "验收须由未执行该工单的另一人签字" in said and "did not perform" not in said
    order.refresh_from_db()
    assert order.status == OrderStatus.RECORDED
    no_reason = client.post(
        reverse("upkeep:order_record", args=[order.pk]),
        {"step_1": "13.4", "step_2": "22", "step_3": "yes"},
    )
    assert no_reason.status_code == 200 and "须说明原因" in no_reason.content.decode()
    client.post(
        reverse("upkeep:order_record", args=[order.pk]),
        {"step_1": "13.4", "step_2": "22", "step_3": "yes", "reason": "misread the meter"},
    )
    page = client.get(url).content.decode()
    assert page.count('data-testid="record-version"') == 2
    assert "已被后续版本更正" in page and "misread the meter" in page
    personas.engineer.language = "en"
    personas.engineer.save(update_fields=["language"])
    english = client.get(url).content.decode()
    assert "corrected by a later version" in english and "已被后续版本更正" not in english
    other = login(engineer2)
    assert 'data-testid="accept-form"' in other.get(url).content.decode()
    other.post(reverse("upkeep:order_accept", args=[order.pk]), {"remark": "checked"})
    order.refresh_from_db()
    assert (order.status, order.accepted_by, order.accepted_version) == (
        OrderStatus.ACCEPTED,
        engineer2,
        2,
    )
    assert order.reference in other.get(reverse("upkeep:completeness")).content.decode()


def test_a_customer_sees_no_plan_and_no_work_order(login, ups_plan, personas):
    plan = ups_plan()
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    order = WorkOrder.objects.first()
    client = login(personas.contact_a)
    for url in (
        reverse("upkeep:plans"),
        reverse("upkeep:plan", args=[plan.pk]),
        reverse("upkeep:orders"),
        reverse("upkeep:order", args=[order.pk]),
        reverse("upkeep:completeness"),
    ):
        assert client.get(url).status_code == 404, url


def test_the_agent_reads_but_may_not_record(login, ups_plan, personas):
    ups_plan()
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    order = WorkOrder.objects.first()
    client = login(personas.agent)
    assert (
        'data-testid="record-form"'
        not in client.get(reverse("upkeep:order", args=[order.pk])).content.decode()
    )
    assert client.post(reverse("upkeep:order_record", args=[order.pk]), {}).status_code == 403


def test_an_asset_page_shows_its_plans_and_work_orders(login, ups_plan, ups, personas):
    plan = ups_plan()
    services.generate(dt.datetime(2026, 11, 26, 9, tzinfo=SH))
    page = login(personas.engineer).get(reverse("assets:detail", args=[ups.pk])).content.decode()
    assert 'data-testid="asset-maintenance"' in page and plan.item in page
    order = WorkOrder.objects.filter(asset=ups).first()
    assert reverse("upkeep:order", args=[order.pk]) in page
