"""The quality report's statistics (Q4, Q5): a seeded month whose every figure equals a
hand calculation, the statistics without a source said in both languages, the periods,
and the JSON through the API (staff who read the audit only) and the command."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from baozhang.desk import services as desk
from baozhang.desk.models import Callback, Ticket
from baozhang.incidents import services as incidents
from baozhang.monitoring.tests.test_figures import D1, MIN, a_day_of_checks, monitor  # noqa: F401
from baozhang.quality import report
from baozhang.quality.report import KEYS, parse_period, quality_report
from baozhang.quality.statistics import Scope

CST = dt.timezone(dt.timedelta(hours=8))
SEPTEMBER = "2026-09"


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.fixture
def seeded_september(
    personas: Any,
    incident_factory: Callable[..., Any],
    ticket_factory: Callable[..., Ticket],
) -> None:
    """Incidents detected in September 2026 (and one the day before), and two complaints
    opened on Monday 28 September, just before the National Day holiday."""

    def fault(detected: dt.datetime, minutes: int, **kw: Any) -> Any:
        incident = incident_factory(detected_at=detected, **kw)
        incidents.resolve(
            personas.agent,
            incident,
            cause="",
            resolution="ok",
            at=detected + dt.timedelta(minutes=minutes),
        )
        return incident

    # 31 August 23:30 → 1 September 00:40: detected before the month, not counted
    fault(at(8, 31, 23, 30), 70)
    fault(at(9, 10, 10), 20)  # server disconnection, inside, within 30 minutes
    fault(  # equipment fault, outside, 50 minutes: misses the 30-minute target
        at(9, 20, 8), 50, classification="equipment_fault", responsibility="outside"
    )
    fault(  # a major outage, an emergency without a recorded plan, 10 minutes
        at(9, 15, 9), 10, classification="major_outage", is_emergency=True
    )
    fault(  # detected on the month's last evening, restored after midnight: 120 minutes
        at(9, 30, 23),
        120,
        classification="software",
        severity="minor",
        is_emergency=True,
        emergency_procedure="启动服务器切换预案 Failover plan",
    )
    # Complaints: the written answer is due within 10 working days; 1–7 October are a
    # holiday, so one opened on 28 September is answered in time on 14 October (10
    # calendar days would have said 8 October) and late on 19 October.
    for answered, category_name in ((at(10, 14, 12), "billing"), (at(10, 19, 12), None)):
        kw: dict[str, Any] = {"kind": "complaint", "now": at(9, 28, 10)}
        if category_name:
            from baozhang.desk.models import Category

            kw["category"] = Category.objects.create(name=category_name)
        ticket = ticket_factory(channel="hotline", **kw)
        desk.change_status(personas.agent, ticket, "resolved", now=answered)
    ticket_factory(kind="fault", channel="portal", now=at(9, 28, 11))  # not a complaint
    first = Ticket.objects.filter(kind="complaint").order_by("pk").first()
    Callback.objects.create(
        ticket=first,
        due_at=at(10, 15, 10),
        survey_token="quality-report-1",
        satisfaction=4,
        created_at=at(10, 15, 10),
        done_at=at(10, 15, 10),
        status="done",
    )


def test_a_seeded_month_gives_the_hand_calculated_figures(seeded_september: None) -> None:
    # Given the seeded September, when the whole operator's report is computed
    data = quality_report(parse_period(SEPTEMBER), Scope())

    # Then four faults detected in September: 20 + 50 + 10 + 120 minutes = 12,000 s (the
    # one detected on 31 August is not counted; the one detected on 30 September counts
    # to its restoration)
    assert data["server_faults"] == {
        "source": "configured",
        "count": 4,
        "open": 0,
        "duration_seconds": 12000.0,
    }
    assert data["equipment_downtime"]["count"] == 1
    assert data["equipment_downtime"]["duration_seconds"] == 3000.0
    # Two emergency events, one without a recorded plan
    emergencies = data["emergency_events"]
    assert emergencies["count"] == 2 and emergencies["without_plan"] == 1
    assert [r["plan_used"] for r in emergencies["records"]] == [
        None,
        "启动服务器切换预案 Failover plan",
    ]
    # Complaints: 2, both by hotline, one in "billing"; 1 of 2 answered within 10
    # working days; one satisfaction answer of 4
    complaints = data["complaints"]
    assert complaints["count"] == 2
    assert complaints["by_category"] == {"": 1, "billing": 1}
    assert complaints["by_channel"] == {"hotline": 2}
    assert complaints["answered"] == {
        "settled": 2,
        "within_limit": 1,
        "share_within_limit": 0.5,
        "pending": 0,
    }
    assert complaints["satisfaction"] == {"answers": 1, "average": 4.0}
    # no complaint of the month is analysed yet: no improvement actions
    assert complaints["improvement_actions"]["source"] == "configured"
    assert complaints["improvement_actions"]["count"] == 0
    # Operating quality: 1 major outage; 3 inside, 1 outside; 1 software fault this
    # year (within 3); 1 restore target missed (the 50-minute equipment fault)
    quality = data["operating_quality"]
    assert quality["fault_count"] == 4 and quality["fault_duration_seconds"] == 12000.0
    assert quality["major_outages"] == 1
    assert quality["responsibility"] == {"inside": 3, "outside": 1}
    assert quality["by_class"]["egress_link"] == {"count": 0, "duration_seconds": 0.0}
    assert quality["by_class"]["human_caused"]["count"] == 0
    assert quality["targets"]["software_faults"] == {
        "in_period": 1,
        "year_to_date": 1,
        "limit_per_year": 3,
        "met": True,
    }
    assert quality["targets"]["recovery"]["restore_targets_missed"] == 1
    assert quality["targets"]["recovery"]["met"] is False


def test_a_customer_scope_counts_only_that_customers_complaints(
    seeded_september: None, personas: Any
) -> None:
    period = parse_period(SEPTEMBER)
    assert quality_report(period, Scope(customer_id=personas.org_a.pk))["complaints"]["count"] == 2
    assert quality_report(period, Scope(customer_id=personas.org_b.pk))["complaints"]["count"] == 0


def test_the_statistics_without_a_source_say_so_in_both_languages(db: None) -> None:
    data = quality_report(parse_period(SEPTEMBER), Scope())
    for key in ("site_information", "information_security"):
        assert data[key] == {"source": "none", "note": "no source configured / 未配置数据来源"}


def test_a_registered_provider_makes_a_statistic_configured(db: None) -> None:
    # Given an area that registered its figures for information security
    report.register("information_security", lambda period, scope: {"cases": 0})
    try:
        data = quality_report(parse_period(SEPTEMBER), Scope())
    finally:
        report.unregister("information_security")
    # Then the statistic is configured with those figures
    assert data["information_security"] == {"source": "configured", "cases": 0}
    with pytest.raises(ValueError, match="unknown statistic"):
        report.register("server_faults", lambda period, scope: {})


def test_the_integrity_rate_of_a_monitor_with_missed_cycles(personas: Any, monitor: Any) -> None:  # noqa: F811
    # Given a day of one-minute checks with 30 failures and 2 cycles with no check
    a_day_of_checks(monitor, set(range(600, 630)), skipped={10, 11})
    # When the report of that day is computed
    data = quality_report(parse_period("2026-11-02..2026-11-02"), Scope(), now=D1 + MIN)
    # Then 1,440 periods, 32 abnormal: (1440 − 32) / 1440
    integrity = data["collection_integrity"]
    assert (integrity["periods"], integrity["abnormal"]) == (1440, 32)
    assert integrity["rate"] == pytest.approx(1408 / 1440)


@pytest.mark.parametrize(
    ("text", "first", "after_last"),
    [
        ("2026-11", (2026, 11, 1), (2026, 12, 1)),
        ("2026-12", (2026, 12, 1), (2027, 1, 1)),
        ("2026-Q4", (2026, 10, 1), (2027, 1, 1)),
        ("2026-q1", (2026, 1, 1), (2026, 4, 1)),
        ("2026", (2026, 1, 1), (2027, 1, 1)),
        ("2026-11-01..2026-11-30", (2026, 11, 1), (2026, 12, 1)),
        ("2026-02-28..2026-02-28", (2026, 2, 28), (2026, 3, 1)),
    ],
)
def test_periods_are_parsed_as_local_days(
    text: str, first: tuple[int, int, int], after_last: tuple[int, int, int]
) -> None:
    period = parse_period(text)
    assert period.start == dt.datetime(*first, tzinfo=CST)
    assert period.end == dt.datetime(*after_last, tzinfo=CST)


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26", "2026-11-30..2026-11-01", "x"])
def test_a_bad_period_is_refused_in_both_languages(text: str) -> None:
    with pytest.raises(ValueError, match=r"统计期无效.*invalid period"):
        parse_period(text)


def test_the_api_answers_staff_who_read_the_audit_and_refuses_others(
    seeded_september: None, personas: Any
) -> None:
    client = Client()
    url = f"/api/v1/quality/report?period={SEPTEMBER}"
    # A customer's contact and an agent are refused
    for person in (personas.contact_a, personas.agent):
        client.force_login(person)
        assert client.get(url).status_code == 403
        assert client.get(f"{url}&customer={personas.org_a.pk}").status_code == 403
    # The service director gets every statistic under its key
    client.force_login(personas.director)
    response = client.get(url)
    assert response.status_code == 200, response.content
    data = response.json()
    assert set(KEYS) <= set(data)
    assert data["server_faults"]["count"] == 4
    assert client.get("/api/v1/quality/report?period=2026-13").status_code == 422


def test_the_report_is_documented_in_the_openapi(db: None) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/quality/report"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    properties = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert set(KEYS) <= set(properties)


def test_the_command_writes_the_json_file(seeded_september: None, tmp_path: Any) -> None:
    target = tmp_path / "quality.json"
    call_command("report", "quality", "--period", SEPTEMBER, "--format", "json", "-o", target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["server_faults"]["count"] == 4
    assert data["complaints"]["answered"]["within_limit"] == 1
    assert data["site_information"]["note"] == "no source configured / 未配置数据来源"
