"""Frozen quality reports on the web and through the API (Q1): prepared by one person,
approved by another (the preparer is told why not), amended with a reason beside the
original, downloaded as the file `report verify` checks; the report page of a frozen
period flags the records changed since, each linked to its page."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from baozhang.accounts.models import Role
from baozhang.core.frozen_report import verify
from baozhang.incidents import services as incidents
from baozhang.incidents.models import Incident
from baozhang.quality import selectors, services
from baozhang.quality.models import FrozenReport
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)

OCTOBER_10 = dt.datetime(2026, 10, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def inspector(personas: Any, user_factory: Callable[..., Any]) -> Any:
    """A quality inspector who reads English (the director reads Chinese)."""
    return user_factory(
        personas.operator, [Role.QUALITY_INSPECTOR], username="inspector", language="en"
    )


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _messages(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_two_people_freeze_a_month_on_the_web(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    # Given the director, who prepares September's report on the frozen reports' page
    director = _client(personas.director)
    page = director.get(reverse("quality:frozen_list"))
    assert page.status_code == 200 and b'data-testid="freeze"' in page.content
    answer = director.post(
        reverse("quality:frozen_list"),
        {"scope": "", "kind": "month", "year": "2026", "month": "9", "quarter": "3"},
        follow=True,
    )
    report = FrozenReport.objects.get()
    assert answer.redirect_chain[-1][0] == reverse("quality:frozen", args=[report.pk])
    assert "现须由另一人审批" in _messages(answer)
    # When the director approves it too, the page says plainly why not
    refused = director.post(reverse("quality:frozen_approve", args=[report.pk]), follow=True)
    assert "报表准备人不能审批自己的报表，须由另一人审批。" in _messages(refused)
    assert not selectors.is_frozen(report)
    # And the security officer reads it but may not approve it
    security = _client(personas.security)
    assert security.get(reverse("quality:frozen", args=[report.pk])).status_code == 200
    security.post(reverse("quality:frozen_approve", args=[report.pk]))
    assert not selectors.is_frozen(FrozenReport.objects.get())
    # When the quality inspector approves it, it is frozen, named with both people
    approved = _client(inspector).post(
        reverse("quality:frozen_approve", args=[report.pk]), follow=True
    )
    assert "it is frozen from now on" in _messages(approved)
    page = director.get(reverse("quality:frozen", args=[report.pk])).content.decode()
    assert 'data-testid="frozen-state">已冻结<' in page
    assert "director" in page and "inspector" in page
    assert report.digest in page
    # Times in the reader's time zone (Asia/Shanghai), not UTC
    prepared = FrozenReport.objects.get().prepared_at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert prepared.strftime("%Y-%m-%d %H:%M") in page
    # And its file verifies against its digest
    file = director.get(reverse("quality:frozen_file", args=[report.pk]))
    assert file["Content-Disposition"].startswith("attachment;")
    assert verify(json.loads(file.content)).intact


def test_an_amendment_is_shown_beside_the_original(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    # Given a frozen September whose equipment fault is afterwards classed as software
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    services.approve(inspector, report, now=OCTOBER_10)
    incident = Incident.objects.get(classification="equipment_fault")
    incidents.update_fields(personas.agent, incident, classification="software")
    # When the inspector amends it on the web, a reason being required
    inspector_client = _client(inspector)
    empty = inspector_client.post(
        reverse("quality:frozen_amend", args=[report.pk]), {"reason": "  "}, follow=True
    )
    assert "This field is required." in _messages(empty)
    answer = inspector_client.post(
        reverse("quality:frozen_amend", args=[report.pk]),
        {"reason": "故障分类更正 Class corrected"},
        follow=True,
    )
    amendment = FrozenReport.objects.get(amends=report)
    assert answer.redirect_chain[-1][0] == reverse("quality:frozen", args=[amendment.pk])
    # Then the page shows both side by side, the reason, both digests, the changed figure
    page = answer.content.decode()
    assert "Original" in page and "Amendment" in page
    assert "故障分类更正 Class corrected" in page
    assert report.digest in page and amendment.digest in page
    assert 'data-testid="differs"' in page
    # And the original stays, unchanged
    assert FrozenReport.objects.get(pk=report.pk).digest == report.digest


def test_editing_an_incident_of_a_frozen_month_flags_the_report_page(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    # Given a frozen September, its report page says nothing changed since
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    services.approve(inspector, report, now=OCTOBER_10)
    client = _client(personas.director)
    url = f"{reverse('quality:report')}?period={SEPTEMBER}"
    page = client.get(url).content.decode()
    assert 'data-testid="frozen-unchanged"' in page
    assert 'data-testid="changed-since-frozen"' not in page
    # When an incident detected in September is edited
    incident = Incident.objects.get(classification="equipment_fault")
    incidents.update_fields(personas.agent, incident, responsibility="inside")
    # Then the report page flags the period and links the incident
    page = client.get(url).content.decode()
    assert 'data-testid="changed-since-frozen"' in page
    assert "冻结后有变动" in page
    listed = re.search(r'<ul data-testid="changed-records">(.*?)</ul>', page, re.S)
    assert listed is not None
    assert reverse("incidents:detail", args=[incident.pk]) in listed.group(1)
    assert listed.group(1).count("<li>") == 1
    # And so does the frozen report's own page
    detail = client.get(reverse("quality:frozen", args=[report.pk])).content.decode()
    assert reverse("incidents:detail", args=[incident.pk]) in detail
    # A report of another scope of the same month is not flagged
    other = client.get(f"{url}&scope=customer:{personas.org_b.pk}").content.decode()
    assert 'data-testid="frozen-flag"' not in other


def test_customers_never_see_frozen_reports(
    seeded_september: None,  # noqa: F811
    personas: Any,
) -> None:
    report = services.prepare_frozen_report(personas.director, SEPTEMBER, now=OCTOBER_10)
    contact = _client(personas.contact_a)
    for name in ("quality:frozen", "quality:frozen_file"):
        assert contact.get(reverse(name, args=[report.pk])).status_code == 404
    assert contact.get(reverse("quality:frozen_list")).status_code == 404
    assert contact.post(reverse("quality:frozen_approve", args=[report.pk])).status_code == 404
    # Staff who do not read the audit are refused
    assert _client(personas.agent).get(reverse("quality:frozen_list")).status_code == 403


def test_the_api_freezes_approves_and_amends(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    director, other = _client(personas.director), _client(inspector)
    # An open period, an unknown customer and two scopes at once are refused (422)
    for body in (
        {"period": "2999-01"},
        {"period": SEPTEMBER, "customer_id": 999_999_999},
        {"period": SEPTEMBER, "customer_id": personas.org_a.pk, "service_id": 1},
        {"period": "not a period"},
    ):
        refused = director.post("/api/v1/quality/frozen", body, content_type="application/json")
        assert refused.status_code == 422, (body, refused.content)
        assert refused.json()["error"]["code"] == "invalid"
    # The director prepares September
    made = director.post(
        "/api/v1/quality/frozen", {"period": SEPTEMBER}, content_type="application/json"
    )
    assert made.status_code == 201, made.content
    report_id = made.json()["report"]["id"]
    assert made.json()["frozen"] is False
    # The preparer's approval is refused with the reason
    own = director.post(f"/api/v1/quality/frozen/{report_id}/approve")
    assert own.status_code == 422
    assert "另一人" in json.dumps(own.json()["error"], ensure_ascii=False)
    # The inspector approves it; amending without a reason is refused, with one it is made
    approved = other.post(f"/api/v1/quality/frozen/{report_id}/approve")
    assert approved.status_code == 200 and approved.json()["frozen"] is True
    assert (
        other.post(
            f"/api/v1/quality/frozen/{report_id}/amend", {}, content_type="application/json"
        ).status_code
        == 422
    )
    amended = other.post(
        f"/api/v1/quality/frozen/{report_id}/amend",
        {"reason": "更正 Corrected"},
        content_type="application/json",
    )
    assert amended.status_code == 201, amended.content
    assert [h["amends"] for h in amended.json()["history"]] == [None, report_id]
    # A customer's people are told nothing exists; other staff are refused
    contact = _client(personas.contact_a)
    assert (
        contact.post(
            "/api/v1/quality/frozen", {"period": SEPTEMBER}, content_type="application/json"
        ).status_code
        == 404
    )
    assert contact.post(f"/api/v1/quality/frozen/{report_id}/approve").status_code == 404
    assert (
        _client(personas.security).post(f"/api/v1/quality/frozen/{report_id}/approve").status_code
        == 403
    )
