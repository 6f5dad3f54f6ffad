"""The pages of change requests and emergency plans, in both languages: a change made
through its form (a refusal shown on its field in the reader's language only), approved by
another person and refused to its requester, an unauthorised change recorded and counted, a
drill recorded; a customer's people see nothing (404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from baozhang.changes import low_usage, services
from baozhang.changes.models import ChangeRequest, ChangeState, EmergencyPlan
from baozhang.changes.tests.conftest import night

LOCAL = "%Y-%m-%dT%H:%M"


def _english(user: Any) -> Any:
    user.language = "en"
    user.save(update_fields=["language"])
    return user


def _data(internal: Any, **kw: Any) -> dict[str, Any]:
    start, end = night(3, 14, 1)
    data = {
        "title": "升级网管软件",
        "kind": "upgrade",
        "reason": "厂家补丁",
        "risk": "medium",
        "services": [internal.pk],
        "rollback_plan": "恢复快照",
        "planned_start": start.strftime(LOCAL),
        "planned_end": end.strftime(LOCAL),
    }
    data.update(kw)
    return data


def test_a_change_is_made_through_its_form_with_a_reason_outside_the_low_usage_period(
    login: Any, personas: Any, internal: Any
) -> None:
    client = login(_english(personas.engineer))
    assert client.get(reverse("changes:create")).status_code == 200

    refused = client.post(reverse("changes:create"), _data(internal))
    text = refused.content.decode()
    assert refused.status_code == 200
    assert "outside the low-usage period of the service (内部网管): state the reason" in text
    assert "不在服务的低峰时段内" not in text  # one language at a time
    assert not ChangeRequest.objects.exists()

    _chinese = login(personas.director)
    created = _chinese.post(
        reverse("changes:create"), _data(internal, outside_low_usage_reason="厂家工程师白天到场")
    )
    change = ChangeRequest.objects.get()
    assert created.status_code == 302
    assert created.url == reverse("changes:detail", args=[change.pk])
    assert change.planned_start.hour == 6  # 14:00 in Shanghai is 06:00 UTC
    page = _chinese.get(created.url).content.decode()
    assert "不在低峰时段" in page and "厂家工程师白天到场" in page


def test_the_requester_is_refused_the_approval_on_the_page_and_another_approves(
    login: Any, personas: Any, change_factory: Any, internal: Any
) -> None:
    change = change_factory(services=[internal])
    client = login(_english(personas.engineer))
    client.post(reverse("changes:action", args=[change.pk]), {"action": "submit"})

    refused = client.post(reverse("changes:action", args=[change.pk]), {"action": "approve"})
    assert refused.status_code == 422
    assert "the requester may not approve or reject their own change" in refused.content.decode()

    director = login(personas.director)
    approved = director.post(reverse("changes:action", args=[change.pk]), {"action": "approve"})
    assert approved.status_code == 302
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED


def test_an_unauthorised_change_is_recorded_on_its_page_and_counted_on_the_list(
    login: Any, personas: Any, internal: Any
) -> None:
    client = login(personas.director)
    start, _end = night(-1, 15, 1)
    response = client.post(
        reverse("changes:unauthorised_create"),
        {
            "title": "手工修改路由",
            "kind": "configuration",
            "reason": "巡检发现",
            "risk": "high",
            "services": [internal.pk],
            "implemented_at": start.strftime(LOCAL),
            "implemented_by": personas.engineer.pk,
            "result": "succeeded",
            "notes": "无工单",
        },
    )
    change = ChangeRequest.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert change.unauthorised and change.state == ChangeState.IMPLEMENTED

    listing = client.get(reverse("changes:list") + "?show=unauthorised")
    text = listing.content.decode()
    assert [c.pk for c in listing.context["page"]] == [change.pk]
    assert "手工修改路由" in text
    same_month = timezone.localtime(start).month == timezone.localtime().month
    assert listing.context["unauthorised_this_month"] == (1 if same_month else 0)
    assert "本月未经批准实施的变更" in text


def test_a_drill_is_recorded_on_the_plans_page(login: Any, personas: Any) -> None:
    client = login(personas.director)
    created = client.post(
        reverse("changes:plan_create"),
        {
            "name": "机房断电应急预案",
            "kind": "power_failure",
            "content": "1. 确认 UPS 供电\n2. 启动发电机",
            "owner": personas.engineer.pk,
            "drill_interval_days": "180",
            "active": "on",
        },
    )
    plan = EmergencyPlan.objects.get()
    assert created.status_code == 302
    page = client.get(reverse("changes:plan", args=[plan.pk]))
    assert "从未演练" in page.content.decode()

    recorded = client.post(
        reverse("changes:plan_drill", args=[plan.pk]),
        {
            "action": "record",
            "held_on": "2026-01-10",
            "participants": "engineer, director",
            "result": "partly",
            "lessons": "发电机启动用了 4 分钟",
        },
    )
    assert recorded.status_code == 302
    drill = plan.drills.get()
    assert drill.held_on.isoformat() == "2026-01-10" and drill.plan_version == 1
    assert "发电机启动用了 4 分钟" in client.get(recorded.url).content.decode()

    future = login(_english(personas.engineer)).post(
        reverse("changes:plan_drill", args=[plan.pk]),
        {"action": "record", "held_on": "2099-01-10", "participants": "x", "result": "partly"},
    )
    assert future.status_code == 422
    assert "a drill is recorded once held, not ahead" in future.content.decode()


def test_a_customers_person_sees_no_change_or_plan(
    login: Any, personas: Any, change_factory: Any
) -> None:
    change = change_factory()
    plan = services.create_plan(
        personas.director, name="p", kind="major_outage", content="c", owner=personas.engineer
    )
    client = login(personas.contact_a)
    for url in (
        reverse("changes:list"),
        reverse("changes:detail", args=[change.pk]),
        reverse("changes:plans"),
        reverse("changes:plan", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 404


def test_the_admin_shows_changes_and_plans_and_sets_a_low_usage_period(
    login: Any, personas: Any, change_factory: Any, internal: Any
) -> None:
    change_factory()
    client = login(personas.admin)
    for model in ("changerequest", "emergencyplan", "drill", "lowusageperiod"):
        assert client.get(f"/admin/changes/{model}/").status_code == 200
    assert client.get("/admin/changes/changerequest/add/").status_code == 403

    bad = client.post(
        "/admin/changes/lowusageperiod/add/",
        {"service": internal.pk, "starts": "01:00", "ends": "05:00", "time_zone": "Mars/Base"},
    )
    assert bad.status_code == 200 and "unknown time zone" in bad.content.decode()
    good = client.post(
        "/admin/changes/lowusageperiod/add/",
        {"service": internal.pk, "starts": "01:00", "ends": "05:00", "time_zone": "Asia/Shanghai"},
    )
    assert good.status_code == 302
    assert low_usage.low_usage_of(internal)[:2] == (dt.time(1), dt.time(5))
