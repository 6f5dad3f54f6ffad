"""The quality analysis of the report (Q2, S4): a seeded October of analysed faults and
complaints gives the Pareto of causes, the trend over July–September, the repeats and the
actions' state of an independent calculation from the same records; the complaints'
improvement actions; a one-service scope; the periods the trend compares."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from baozhang.analysis import services as analysis
from baozhang.analysis.models import Action, Analysis, CauseCategory
from baozhang.catalog.models import Service
from baozhang.desk.models import Ticket
from baozhang.incidents import services as incidents
from baozhang.incidents.models import Incident
from baozhang.quality.analysis_report import previous_periods
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.report_sections import sections
from baozhang.quality.statistics import Scope

CST = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CST)


def cat(key: str) -> CauseCategory:
    analysis.ensure_built_in_categories()  # also after a transactional test's flush
    return CauseCategory.objects.get(key=key)


@pytest.fixture
def october(
    personas: Any,
    hosting: Service,
    incident_factory: Callable[..., Incident],
    ticket_factory: Callable[..., Ticket],
) -> dict[str, Any]:
    mail = Service.objects.create(name="企业邮箱", name_en="Mail", slug="mail")
    today = timezone.localdate()
    past, later = today - dt.timedelta(days=5), today + dt.timedelta(days=5)

    def fault(detected: dt.datetime, key: str | None, service: Service = hosting, **kw: Any):
        incident = incident_factory(detected_at=detected, service=service)
        incidents.resolve(
            personas.agent, incident, cause="", resolution="ok", at=detected + dt.timedelta(1)
        )
        if key is not None:
            incidents.review(
                personas.engineer,
                incident,
                cause=f"cause of {incident.reference}",
                prevention="check",
                category=cat(key),
                **kw,
            )
        return incident

    def complaint(opened: dt.datetime, key: str, upheld: bool, service: Service | None = None):
        ticket = ticket_factory(kind="complaint", now=opened)
        found = analysis.analyse(
            personas.agent,
            subject_kind="complaint",
            subject_id=ticket.pk,
            subject_label=ticket.reference,
            occurred_at=ticket.created_at,
            category=cat(key),
            upheld=upheld,
            service=service,
        )
        return ticket, found

    fault(at(7, 31, 23), "power")  # 31 July 23:00 CST: July
    fault(at(8, 14), "link")
    fault(at(9, 30, 23), "hardware")  # 30 September 23:00 CST: September, not October
    complaint(at(9, 10), "human", True)
    i1 = fault(
        at(10, 3),
        "hardware",
        actions=[
            {"description": "更换电源", "owner": personas.engineer, "due_on": past},
            {"description": "补充备件", "owner": personas.engineer, "due_on": past},
        ],
    )
    i2 = fault(at(10, 12), "hardware")
    fault(at(10, 20), "software", service=mail)
    fault(at(10, 25), None)  # not analysed
    _c1, c1 = complaint(at(10, 9), "human", True, service=hosting)
    _c2, c2 = complaint(at(10, 16), "customer", False)
    # actions: i1 overdue and done late; c1 done on time; c2 open
    done_late = Action.objects.get(description="补充备件")
    analysis.complete_action(personas.engineer, done_late)
    on_time = analysis.add_action(
        personas.agent, c1, description="培训坐席", owner=personas.agent, due_on=later
    )
    analysis.complete_action(personas.agent, on_time)
    analysis.add_action(
        personas.agent,
        c2,
        kind="corrective",
        description="说明计费",
        owner=personas.agent,
        due_on=later,
    )
    return {"i1": i1, "i2": i2, "hosting": hosting, "mail": mail}


def _independent(first: dt.date, last: dt.date, service: Service | None = None) -> Counter[str]:
    """Causes of the faults detected and upheld complaints opened in [first, last], counted
    straight from the records."""
    counts: Counter[str] = Counter()
    for a in Analysis.objects.all():
        if a.subject_kind == "incident":
            incident = Incident.objects.get(pk=a.subject_id)
            day = timezone.localtime(incident.detected_at).date()
            if service is not None and incident.service_id != service.pk:
                continue
        else:
            if not a.upheld:
                continue
            if service is not None and a.service_id != service.pk:
                continue
            day = timezone.localtime(Ticket.objects.get(pk=a.subject_id).created_at).date()
        if first <= day <= last:
            counts[a.category.key if a.category else "unclassified"] += 1
    return counts


def test_the_causes_trend_repeats_and_actions_of_a_seeded_month(october: dict[str, Any]) -> None:
    data = quality_report(parse_period("2026-10"), Scope())["analysis"]
    counts = _independent(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert counts == {"hardware": 2, "software": 1, "human": 1}
    # Pareto: most frequent first, ties in the taxonomy's order (software before human)
    assert [(c["category"], c["count"]) for c in data["causes"]] == [
        ("hardware", 2),
        ("software", 1),
        ("human", 1),
    ]
    total = sum(counts.values())
    running = 0
    for row in data["causes"]:
        running += counts[row["category"]]
        assert row["share"] == pytest.approx(counts[row["category"]] / total)
        assert row["cumulative_share"] == pytest.approx(running / total)
    assert data["causes"][0]["name"] == "硬件" and data["causes"][0]["name_en"] == "Hardware"
    # the trend: July, August, September, then October, each as counted by hand
    months = [(7, 31), (8, 31), (9, 30), (10, 31)]
    assert [p["counts"] for p in data["trend"]] == [
        dict(_independent(dt.date(2026, m, 1), dt.date(2026, m, last))) for m, last in months
    ]
    assert [p["counts"] for p in data["trend"]] == [
        {"power": 1},
        {"link": 1},
        {"hardware": 1, "human": 1},
        {"hardware": 2, "human": 1, "software": 1},
    ]
    assert [p["total"] for p in data["trend"]] == [1, 1, 2, 4]
    # the repeat: hardware twice on web hosting in October
    assert [(r["service_id"], r["category"], r["count"]) for r in data["repeats"]] == [
        (october["hosting"].pk, "hardware", 2)
    ]
    assert [s["id"] for s in data["repeats"][0]["subjects"]] == [
        october["i1"].pk,
        october["i2"].pk,
    ]
    # 4 faults, 3 analysed; 2 complaints, 1 upheld
    assert data["subjects"] == {
        "faults": 4,
        "faults_analysed": 3,
        "complaints": 2,
        "complaints_analysed": 2,
        "complaints_upheld": 1,
    }
    actions = data["actions"]
    assert (actions["count"], actions["done"], actions["overdue"]) == (4, 2, 1)
    assert actions["by_state"] == {"open": 1, "overdue": 1, "done_on_time": 1, "done_late": 1}


def test_the_complaints_improvement_actions(october: dict[str, Any]) -> None:
    report = quality_report(parse_period("2026-10"), Scope())
    actions = report["complaints"]["improvement_actions"]
    assert actions["source"] == "configured"
    assert (actions["count"], actions["done"], actions["overdue"]) == (2, 1, 0)
    assert sorted(r["description"] for r in actions["records"]) == ["培训坐席", "说明计费"]
    assert {r["state"] for r in actions["records"]} == {"done_on_time", "open"}
    # and the page's and workbook's layout shows them, and the analysis section
    laid_out = {s.key: s for s in sections(report)}
    assert [t.rows for t in laid_out["complaints"].tables][-1][0][2] in ("培训坐席", "说明计费")
    assert laid_out["analysis"].configured
    assert [row[1] for row in laid_out["analysis"].tables[0].rows] == [2, 1, 1]


def test_one_services_causes(october: dict[str, Any]) -> None:
    mail = quality_report(parse_period("2026-10"), Scope(service_id=october["mail"].pk))
    assert [(c["category"], c["count"]) for c in mail["analysis"]["causes"]] == [("software", 1)]
    hosting = quality_report(parse_period("2026-10"), Scope(service_id=october["hosting"].pk))
    counts = _independent(dt.date(2026, 10, 1), dt.date(2026, 10, 31), october["hosting"])
    assert counts == {"hardware": 2, "human": 1}
    assert {c["category"]: c["count"] for c in hosting["analysis"]["causes"]} == counts


def test_the_trend_compares_periods_of_the_same_length(settings: Any) -> None:
    quarter = previous_periods(parse_period("2026-Q4"))
    assert [timezone.localtime(p.start).date() for p in quarter] == [
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
    ]
    assert timezone.localtime(quarter[-1].end).date() == dt.date(2026, 10, 1)
    year = previous_periods(parse_period("2026"))
    assert [timezone.localtime(p.start).year for p in year] == [2023, 2024, 2025]
    ten_days = previous_periods(parse_period("2026-11-11..2026-11-20"))
    assert [
        (timezone.localtime(p.start).date(), timezone.localtime(p.end).date()) for p in ten_days
    ] == [
        (dt.date(2026, 10, 12), dt.date(2026, 10, 22)),
        (dt.date(2026, 10, 22), dt.date(2026, 11, 1)),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 11)),
    ]
