"""The analysis API: the taxonomy and the actions for the operator's staff (403 for a
customer's people); an incident's review through the API takes a cause category's key and
keeps its actions in the one tracker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from baozhang.analysis import services
from baozhang.analysis.models import Analysis


def test_staff_read_the_taxonomy_customers_do_not(
    api_client: Callable[..., Any], personas: Any
) -> None:
    answer = api_client(personas.agent).get("/api/v1/analysis/categories")
    assert answer.status_code == 200
    assert [c["key"] for c in answer.json()][:3] == ["hardware", "software", "link"]
    assert api_client(personas.contact_a).get("/api/v1/analysis/categories").status_code == 403
    assert api_client(personas.contact_a).get("/api/v1/analysis/actions").status_code == 403


def test_the_actions_by_state(api_client: Callable[..., Any], personas: Any, analysed: Any) -> None:
    found = analysed()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    services.add_action(
        personas.engineer, found, description="逾期", owner=personas.engineer, due_on=yesterday
    )
    services.add_action(personas.engineer, found, description="未到期", owner=personas.agent)
    client = api_client(personas.engineer)
    overdue = client.get("/api/v1/analysis/actions?show=overdue").json()["items"]
    assert [(a["description"], a["state"]) for a in overdue] == [("逾期", "overdue")]
    assert overdue[0]["subject_kind"] == "incident" and overdue[0]["category"] == "hardware"
    mine = client.get("/api/v1/analysis/actions?show=mine").json()["items"]
    assert [a["description"] for a in mine] == ["逾期"]
    assert client.get("/api/v1/analysis/actions?show=nonsense").status_code == 422


def test_an_incident_review_through_the_api_takes_a_category(
    api_client: Callable[..., Any], personas: Any, incident_factory: Callable[..., Any]
) -> None:
    from baozhang.incidents import services as incidents

    incident = incident_factory()
    incidents.resolve(personas.agent, incident, cause="", resolution="ok")
    client = api_client(personas.engineer)
    url = f"/api/v1/incidents/{incident.pk}/review"
    body = {
        "cause": "磁盘满",
        "prevention": "容量告警",
        "category": "no-such",
        "actions": [{"description": "清理日志", "owner_id": personas.engineer.pk}],
    }
    assert client.post(url, body, content_type="application/json").status_code == 422
    body["category"] = "software"
    answer = client.post(url, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    review = answer.json()["review"]
    assert review["category"] == "software"
    assert [(a["description"], a["kind"]) for a in review["actions"]] == [
        ("清理日志", "preventive")
    ]
    action_id = review["actions"][0]["id"]
    done = client.post(f"/api/v1/incidents/{incident.pk}/review/actions/{action_id}/complete")
    assert done.status_code == 200 and done.json()["done_at"]
    assert Analysis.objects.get(subject_id=incident.pk).actions.get().done_at is not None
