"""The quality report as XLSX and HTML (Q3): the workbook of the seeded month has one sheet
per statistic headed by the seed's Chinese terms (English on the second row), numbers equal
to the JSON figures, rates formatted as percentages; the report page answers staff who read
the audit in their language and refuses an agent and a customer's contact; the command
writes both files."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from baozhang.accounts.models import Role
from baozhang.quality.report import KEYS, parse_period, quality_report
from baozhang.quality.report_sections import SHEET_NAMES
from baozhang.quality.statistics import Scope
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)
from baozhang.quality.xlsx import write_workbook


def _workbook(report: dict[str, Any]) -> Any:
    buffer = io.BytesIO()
    write_workbook(report, buffer)
    buffer.seek(0)
    return load_workbook(buffer)


def _figures(sheet: Any) -> dict[str, Any]:
    """A statistic sheet's figures: the Chinese heading (row 4) → the cell under it (row 6)."""
    rows = list(sheet.iter_rows(min_row=4, max_row=6))
    return {h.value: cell for h, cell in zip(rows[0], rows[2], strict=False) if h.value}


def test_the_workbook_has_a_sheet_per_statistic_with_the_json_figures(
    seeded_september: None,  # noqa: F811
) -> None:
    # Given the seeded September's report
    data = quality_report(parse_period(SEPTEMBER), Scope(), label=SEPTEMBER)
    # When it is written as a workbook
    book = _workbook(data)
    # Then a summary first, then one sheet per statistic, in the order of the keys
    assert book.sheetnames == ["概况 Summary", *(SHEET_NAMES[k] for k in KEYS)]
    summary = book["概况 Summary"]
    assert summary["B4"].value == SEPTEMBER
    assert summary["B5"].value == "2026-09-01 – 2026-09-30"
    # The seed's terms head the figures, the English below them, numbers as numbers
    faults = book[SHEET_NAMES["server_faults"]]
    assert faults["A1"].value == "整个网络服务器系统的障碍次数及障碍历时"
    assert faults["A2"].value == "Faults of the whole server system: count and duration"
    figures = _figures(faults)
    assert figures["障碍次数"].value == data["server_faults"]["count"] == 4
    assert faults["A5"].value == "Fault count"
    duration = figures["障碍历时（小时）"]
    assert duration.value == pytest.approx(data["server_faults"]["duration_seconds"] / 3600)
    assert duration.number_format == "0.00"
    # A rate is a fraction formatted as a percentage
    complaints = _figures(book[SHEET_NAMES["complaints"]])
    share = complaints["10个工作日内答复的比例"]
    assert share.value == data["complaints"]["answered"]["share_within_limit"] == 0.5
    assert share.number_format == "0.00%"
    assert complaints["投诉件数"].value == 2
    quality = _figures(book[SHEET_NAMES["operating_quality"]])
    assert quality["通信重大阻断次数"].value == data["operating_quality"]["major_outages"] == 1
    # The emergency events list their records with the plan used
    emergencies = book[SHEET_NAMES["emergency_events"]]
    plans = [row[4] for row in emergencies.iter_rows(min_row=10, values_only=True)]
    assert "启动服务器切换预案 Failover plan" in plans


def test_a_statistic_without_a_source_has_its_sheet_saying_so(db: None) -> None:
    book = _workbook(quality_report(parse_period(SEPTEMBER), Scope()))
    for key in ("site_information", "information_security"):
        assert book[SHEET_NAMES[key]]["A4"].value == "未配置数据来源 / no source configured"


@pytest.fixture
def inspector(personas: Any, user_factory: Callable[..., Any]) -> Any:
    return user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")


def test_the_page_answers_a_quality_inspector_and_refuses_others(
    seeded_september: None,  # noqa: F811
    personas: Any,
    inspector: Any,
) -> None:
    client = Client()
    url = f"/quality/report/?period={SEPTEMBER}"
    # An agent and a customer's contact are refused
    for person in (personas.agent, personas.contact_a):
        client.force_login(person)
        assert client.get(url).status_code in (403, 404)
    # A quality inspector reading Chinese sees the seed's terms and the figures
    inspector.language = "zh-hans"
    inspector.save(update_fields=["language"])
    client.force_login(inspector)
    page = client.get(url).content.decode()
    assert "整个网络服务器系统的障碍次数及障碍历时" in page
    assert "未配置数据来源" in page
    assert "3 小时 20 分钟" in page  # 12,000 s of faults
    assert "50.00 %" in page  # answered within 10 working days
    assert "/quality/report/records/?period=2026-09&amp;what=incidents" in page
    assert "no source configured" not in page
    # The same page in English
    inspector.language = "en"
    inspector.save(update_fields=["language"])
    page = client.get(url).content.decode()
    assert "Faults of the whole server system" in page
    assert "no source configured" in page and "未配置数据来源" not in page
    assert "no source configured —" not in page  # said once, not twice
    assert "equipment faults" in page and "按设备故障分类" not in page  # the note in English
    assert "3 h 20 min" in page
    # The period picker gives the same month; the workbook downloads
    picked = client.get("/quality/report/?kind=month&year=2026&month=9&quarter=1")
    assert "3 h 20 min" in picked.content.decode()
    xlsx = client.get(f"{url}&format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "概况 Summary"


def test_the_service_director_sees_the_page(seeded_september: None, personas: Any) -> None:  # noqa: F811
    client = Client()
    client.force_login(personas.director)
    assert client.get(f"/quality/report/?period={SEPTEMBER}").status_code == 200


def test_the_command_writes_xlsx_and_html(seeded_september: None, tmp_path: Any) -> None:  # noqa: F811
    xlsx, html = tmp_path / "quality.xlsx", tmp_path / "quality.html"
    call_command("report", "quality", "--period", SEPTEMBER, "--format", "xlsx", "-o", str(xlsx))
    call_command("report", "quality", "--period", SEPTEMBER, "--format", "html", "-o", str(html))
    book = load_workbook(xlsx)
    assert _figures(book[SHEET_NAMES["server_faults"]])["障碍次数"].value == 4
    text = html.read_text(encoding="utf-8")
    assert "整个网络服务器系统的障碍次数及障碍历时" in text
    assert "未配置数据来源" in text
