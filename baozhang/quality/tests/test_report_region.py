"""A region as the quality report's fourth scope: where services are delivered from
(catalog's Service.region). Its figures are those of its services' incidents and
monitors; its complaints those of its services' customers (a complaint does not record
its service), said so. Through the report, the API, the command and the page."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from baozhang.catalog.models import Service
from baozhang.incidents.tests.conftest import monitor_factory  # noqa: F401
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.statistics import COMPLAINTS_OF_REGION, Scope, parse_scope
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    at,
    seeded_september,
)

EAST, NORTH = "华东 East China", "华北 North China"


@pytest.fixture
def regions(
    seeded_september: None,  # noqa: F811
    personas: Any,
    hosting: Service,
    incident_factory: Callable[..., Any],
    ticket_factory: Callable[..., Any],
    monitor_factory: Callable[..., Any],  # noqa: F811
) -> dict[str, Any]:
    """Hosting (customer A; September's four faults and A's two complaints) is delivered
    from East China; a leased line (customer B; one fault, one complaint) from North
    China."""
    hosting.region = EAST
    hosting.save(update_fields=["region"])
    hosting.customers.remove(personas.org_b)
    line = Service.objects.create(name="专线", name_en="Leased line", slug="line", region=NORTH)
    line.customers.add(personas.org_b)
    incident_factory(service=line, detected_at=at(9, 12, 10))
    ticket_factory(
        kind="complaint",
        channel="email",
        customer=personas.org_b,
        contact=personas.contact_b,
        now=at(9, 14, 10),
    )
    return {
        "line": line,
        "east_monitor": monitor_factory(hosting),
        "north_monitor": monitor_factory(line),
    }


def test_a_regions_figures_are_those_of_its_services(regions: dict[str, Any]) -> None:
    period = parse_period(SEPTEMBER)
    whole = quality_report(period, Scope())
    east = quality_report(period, Scope(region=EAST))
    north = quality_report(period, Scope(region=NORTH))
    # Faults: 4 on hosting, 1 on the line, 5 in all
    assert whole["server_faults"]["count"] == 5
    assert east["server_faults"]["count"] == 4
    assert north["server_faults"]["count"] == 1
    assert north["operating_quality"]["fault_count"] == 1
    # Monitors: each region's own
    ids = [m["monitor_id"] for m in east["collection_integrity"]["monitors"]]
    assert ids == [regions["east_monitor"].pk]
    ids = [m["monitor_id"] for m in north["collection_integrity"]["monitors"]]
    assert ids == [regions["north_monitor"].pk]
    # Complaints: those of each region's customers, and the report says how it counts them
    assert whole["complaints"]["count"] == 3
    assert east["complaints"]["count"] == 2
    assert north["complaints"]["count"] == 1
    assert north["complaints"]["by_channel"] == {"email": 1}
    assert north["complaints"]["note"] == COMPLAINTS_OF_REGION
    assert "note" not in whole["complaints"]
    assert north["scope"] == {"customer_id": None, "service_id": None, "region": NORTH}


def test_scopes_are_read_from_text() -> None:
    assert parse_scope("") == Scope()
    assert parse_scope("operator") == Scope()
    assert parse_scope("customer:7") == Scope(customer_id=7)
    assert parse_scope("service:12") == Scope(service_id=12)
    assert parse_scope("region:华东  East China") == Scope(region=EAST)
    assert Scope(region=EAST).text == f"region:{EAST}"
    for bad in ("customer:x", "service:0", "region:", "planet:1", f"service:{2**40}"):
        with pytest.raises(ValueError, match="invalid scope"):
            parse_scope(bad)


def test_the_api_and_the_command_take_a_region(
    regions: dict[str, Any], personas: Any, capsys: Any
) -> None:
    client = Client()
    client.force_login(personas.director)
    answer = client.get("/api/v1/quality/report", {"period": SEPTEMBER, "region": NORTH})
    assert answer.status_code == 200, answer.content
    assert answer.json()["server_faults"]["count"] == 1
    for query in (
        {"period": SEPTEMBER, "region": "火星 Mars"},
        {"period": SEPTEMBER, "region": NORTH, "customer": personas.org_a.pk},
        {"period": SEPTEMBER, "customer": 2**40},
    ):
        refused = client.get("/api/v1/quality/report", query)
        assert refused.status_code == 422, (query, refused.content)
        assert refused.json()["error"]["code"] == "invalid"
    # The command: --scope region:NAME, and a scope that is not one is refused plainly
    call_command("report", "quality", "--period", SEPTEMBER, "--scope", f"region:{EAST}")
    data = json.loads(capsys.readouterr().out)
    assert data["scope"]["region"] == EAST and data["server_faults"]["count"] == 4
    call_command(
        "report", "quality", "--period", SEPTEMBER, "--scope", f"service:{regions['line'].pk}"
    )
    assert json.loads(capsys.readouterr().out)["server_faults"]["count"] == 1
    with pytest.raises(CommandError, match="no service is delivered from region"):
        call_command("report", "quality", "--period", SEPTEMBER, "--scope", "region:火星")
    # A region's report is not frozen (the snapshot records customer and service only)
    with pytest.raises(CommandError, match="地区报表暂不能冻结"):
        call_command(
            "report",
            "freeze",
            "--period",
            SEPTEMBER,
            "--scope",
            f"region:{EAST}",
            "--as",
            "director",
        )


def test_the_page_offers_the_regions_and_reads_one(regions: dict[str, Any], personas: Any) -> None:
    client = Client()
    client.force_login(personas.director)
    page = client.get("/quality/report/", {"period": SEPTEMBER}).content.decode()
    assert f'<option value="region:{EAST}">{EAST}</option>' in page
    assert f'value="service:{regions["line"].pk}"' in page
    page = client.get(
        "/quality/report/", {"period": SEPTEMBER, "scope": f"region:{NORTH}"}
    ).content.decode()
    assert f"地区 {NORTH}" in page
    assert f'<option value="region:{NORTH}" selected>' in page
    # The picker's own form gives the same scope
    picked = client.get(
        "/quality/report/",
        {"scope": f"region:{NORTH}", "kind": "month", "year": 2026, "month": 9, "quarter": 3},
    ).content.decode()
    assert f"地区 {NORTH}" in picked
    # Its complaints' drill-down lists B's complaint only and says how it counts
    records = client.get(
        "/quality/report/records/",
        {"period": SEPTEMBER, "scope": f"region:{NORTH}", "what": "complaints"},
    ).content.decode()
    assert 'data-count="1"' in records
    assert "使用本地区服务的客户的投诉" in records
    # An unknown scope falls back to the whole operator and says so
    unknown = client.get("/quality/report/", {"period": SEPTEMBER, "scope": "region:火星"})
    assert "统计范围 region:火星 不存在" in unknown.content.decode()
    assert dt.date(2026, 9, 30).isoformat() in unknown.content.decode()


def test_a_services_region_is_set_through_the_api(personas: Any) -> None:
    client = Client()
    client.force_login(personas.director)
    made = client.post(
        "/api/v1/services",
        {"name": "华南托管", "name_en": "South hosting", "region": "  华南   South China "},
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    assert made.json()["region"] == "华南 South China"
    assert parse_scope("region:华南 South China") == Scope(region="华南 South China")
    page = client.get("/quality/report/").content.decode()
    assert '<option value="region:华南 South China">' in page
    too_long = client.post(
        "/api/v1/services",
        {"name": "x", "region": "区" * 61},
        content_type="application/json",
    )
    assert too_long.status_code == 422
