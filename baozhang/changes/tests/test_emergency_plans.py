"""Emergency plans (应急预案, F10): a plan per kind of emergency with its versions, drills
scheduled and recorded, a drill overdue shown as such; an incident recorded as an emergency
links the plan it used, and the quality report's emergency events (statistic 7) name it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from baozhang.changes import selectors, services
from baozhang.core.changes import DrillState
from baozhang.incidents import services as incidents
from baozhang.quality import report
from baozhang.quality.statistics import Scope

CST = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 10, 15)


@pytest.fixture
def power_plan(personas: Any) -> Any:
    return services.create_plan(
        personas.director,
        name="机房断电应急预案",
        kind="power_failure",
        content="1. 确认 UPS 供电\n2. 启动发电机\n3. 通知客户",
        owner=personas.engineer,
        drill_interval_days=180,
    )


def test_a_drill_is_scheduled_then_recorded_with_its_lessons(
    personas: Any, power_plan: Any
) -> None:
    scheduled = services.schedule_drill(
        personas.director, power_plan, scheduled_on=dt.date(2026, 10, 10)
    )
    ((plan, standing),) = selectors.plans_with_standing(personas.director, TODAY)
    assert plan == power_plan
    assert standing.state == DrillState.OVERDUE  # scheduled for the 10th, not held
    assert [p for p, _s in selectors.drills_due(TODAY)] == [power_plan]

    drill = services.record_drill(
        personas.engineer,
        power_plan,
        drill=scheduled,
        held_on=dt.date(2026, 10, 12),
        participants="engineer, director, 物业电工",
        result="partly",
        lessons="发电机启动用了 4 分钟，超过预案的 2 分钟",
        today=TODAY,
    )

    assert drill.pk == scheduled.pk and drill.plan_version == 1
    assert drill.recorded_by == personas.engineer
    ((_plan, standing),) = selectors.plans_with_standing(personas.director, TODAY)
    assert standing.last_held == dt.date(2026, 10, 12)
    assert standing.due_on == dt.date(2027, 4, 10)  # 180 days on
    assert standing.state == DrillState.OK
    assert selectors.drills_due(TODAY) == []


def test_a_drill_needs_its_participants_and_result(personas: Any, power_plan: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.record_drill(
            personas.engineer, power_plan, held_on=TODAY, participants=" ", result="", today=TODAY
        )
    assert set(refused.value.message_dict) == {"participants", "result"}


def test_a_changed_plan_is_a_new_version_and_other_needs_words(
    personas: Any, power_plan: Any
) -> None:
    services.update_plan(personas.director, power_plan, content="1. UPS\n2. 发电机\n3. 客户")
    power_plan.refresh_from_db()
    assert power_plan.version == 2
    services.update_plan(personas.director, power_plan, owner=personas.director)
    power_plan.refresh_from_db()
    assert power_plan.version == 2  # a new owner is not a new version of the plan

    with pytest.raises(ValidationError) as refused:
        services.create_plan(
            personas.director, name="x", kind="other", content="c", owner=personas.engineer
        )
    assert refused.value.message_dict["kind_detail"] == [
        "类型为“其他”时请说明 / say which emergency for “Other”"
    ]


def test_an_emergency_incident_links_its_plan_and_the_report_names_it(
    personas: Any, power_plan: Any
) -> None:
    linked = incidents.open_incident(
        personas.agent,
        service=None,
        title="机房 A 市电中断",
        severity="critical",
        classification="major_outage",
        responsibility="outside",
        is_emergency=True,
        emergency_plan=power_plan,
        emergency_procedure="发电机 2 分钟内启动",
        detected_at=dt.datetime(2026, 9, 12, 3, tzinfo=CST),
        customers=[],
    )
    incidents.open_incident(
        personas.agent,
        service=None,
        title="未按预案处置",
        severity="major",
        classification="other",
        responsibility="inside",
        is_emergency=True,
        detected_at=dt.datetime(2026, 9, 20, 3, tzinfo=CST),
        customers=[],
    )

    assert linked.emergency_plan == power_plan
    events = report.emergency_events(report.parse_period("2026-09"), Scope())
    assert events["count"] == 2 and events["without_plan"] == 1
    assert [r["plan_used"] for r in events["records"]] == ["机房断电应急预案 v1", None]
    assert events["records"][0]["emergency_plan_id"] == power_plan.pk


def test_only_an_emergency_links_a_plan_and_clearing_it_drops_the_plan(
    personas: Any, power_plan: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        incidents.open_incident(
            personas.agent,
            service=None,
            title="x",
            severity="minor",
            classification="other",
            responsibility="inside",
            emergency_plan=power_plan,
            customers=[],
        )
    assert "only an incident recorded as an emergency" in refused.value.messages[0]

    incident = incidents.open_incident(
        personas.agent,
        service=None,
        title="y",
        severity="minor",
        classification="other",
        responsibility="inside",
        customers=[],
    )
    incidents.update_fields(personas.agent, incident, is_emergency=True, emergency_plan=power_plan)
    incident.refresh_from_db()
    assert incident.emergency_plan == power_plan
    incidents.update_fields(personas.agent, incident, is_emergency=False)
    incident.refresh_from_db()
    assert incident.emergency_plan is None


def test_the_incident_page_and_api_link_the_plan_used(
    login: Any, api_client: Any, personas: Any, power_plan: Any
) -> None:
    from django.urls import reverse

    from baozhang.incidents.models import Incident

    client = login(personas.agent)
    response = client.post(
        reverse("incidents:create"),
        {
            "title": "机房 B 市电中断",
            "severity": "critical",
            "classification": "major_outage",
            "responsibility": "outside",
            "is_emergency": "on",
            "emergency_plan": power_plan.pk,
            "emergency_procedure": "按预案切换",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302, response.content.decode()[:1000]
    assert incident.emergency_plan == power_plan
    page = client.get(reverse("incidents:detail", args=[incident.pk])).content.decode()
    assert reverse("changes:plan", args=[power_plan.pk]) in page and "机房断电应急预案 v1" in page

    api = api_client(personas.agent, "en")
    assert api.get(f"/api/v1/incidents/{incident.pk}").json()["emergency_plan_id"] == power_plan.pk
    unknown = api.patch(
        f"/api/v1/incidents/{incident.pk}",
        {"emergency_plan_id": 424242},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"] == {"emergency_plan_id": ["No emergency plan 424242"]}
    cleared = api.patch(
        f"/api/v1/incidents/{incident.pk}",
        {"emergency_plan_id": None},
        content_type="application/json",
    )
    assert cleared.status_code == 200 and cleared.json()["emergency_plan_id"] is None
