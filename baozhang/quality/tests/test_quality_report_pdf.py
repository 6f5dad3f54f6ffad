"""The quality report as a PDF (Q3): the Chinese headings and figures are embedded text
that pdftotext reads back (the font subset embedded, the file small), in English too, and
the command and the API write it."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from baozhang.quality.files import XLSX
from baozhang.quality.pdf import write_pdf
from baozhang.quality.report import parse_period, quality_report
from baozhang.quality.statistics import Scope
from baozhang.quality.tests.test_quality_report import (  # noqa: F401
    SEPTEMBER,
    seeded_september,
)


def pdf_text(content: bytes) -> str:
    """The text of a PDF as pdftotext (poppler-utils) reads it."""
    tool = shutil.which("pdftotext")
    assert tool, "pdftotext (poppler-utils) is needed to read the PDF back"
    done = subprocess.run(
        [tool, "-layout", "-", "-"], input=content, capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def test_the_pdf_has_the_chinese_headings_and_figures_as_text(
    seeded_september: None,  # noqa: F811
) -> None:
    data = quality_report(parse_period(SEPTEMBER), Scope(), label=SEPTEMBER)
    buffer = io.BytesIO()
    write_pdf(data, buffer, language="zh-hans")
    content = buffer.getvalue()
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    # The seed's terms as headings, the figures beside their labels
    assert "质量统计报表 2026-09" in text
    assert "整个网络服务器系统的障碍次数及障碍历时" in text
    assert re.search(r"障碍次数\s+4\b", text)
    assert "3 小时 20 分钟" in text  # 12,000 s of faults, as people say it
    assert "50.00 %" in text  # complaints answered within 10 working days
    assert "未配置数据来源" in text
    assert "启动服务器切换预案" in text  # a record of the emergency events' table
    # The charts' tables follow, the recovery times against the 30-minute target
    assert "30 分钟内恢复" in text or "30分钟" in text
    # The font is embedded as a subset: a small file
    assert b"/FontFile2" in content and re.search(rb"/BaseFont /[A-Z]{6}\+", content)
    assert len(content) < 250_000


def test_the_pdf_in_english(seeded_september: None) -> None:  # noqa: F811
    data = quality_report(parse_period(SEPTEMBER), Scope(), label=SEPTEMBER)
    buffer = io.BytesIO()
    write_pdf(data, buffer, language="en")
    text = pdf_text(buffer.getvalue())
    assert "Faults of the whole server system" in text
    assert re.search(r"Fault count\s+4\b", text)
    assert "3 h 20 min" in text
    # a statistic without a source says so in the file's language only
    assert "no source configured" in text and "未配置数据来源" not in text


def test_the_command_writes_html_with_the_charts_tables(
    seeded_september: None,  # noqa: F811
    tmp_path: Path,
) -> None:
    target = tmp_path / "quality.html"
    call_command("report", "quality", "--period", SEPTEMBER, "--format", "html", "-o", str(target))
    text = target.read_text(encoding="utf-8")
    assert "恢复时长与 30 分钟恢复时限" in text and 'data-testid="chart-table"' in text
    assert "<script" not in text  # a file: the tables, no scripts


def test_the_command_writes_the_pdf(seeded_september: None, tmp_path: Path) -> None:  # noqa: F811
    target = tmp_path / "quality.pdf"
    call_command("report", "quality", "--period", SEPTEMBER, "--format", "pdf", "-o", str(target))
    assert "整个网络服务器系统的障碍次数及障碍历时" in pdf_text(target.read_bytes())


def test_the_api_and_the_page_return_the_files_with_their_types(
    seeded_september: None,  # noqa: F811
    personas: Any,
) -> None:
    client = Client()
    client.force_login(personas.director)
    url = f"/api/v1/quality/report?period={SEPTEMBER}"
    pdf = client.get(f"{url}&format=pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert 'filename="quality-2026-09.pdf"' in pdf["Content-Disposition"]
    assert "障碍次数" in pdf_text(pdf.content)
    xlsx = client.get(f"{url}&format=xlsx")
    assert xlsx["Content-Type"] == XLSX
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "概况 Summary"
    assert client.get(f"{url}&format=json").json()["server_faults"]["count"] == 4
    # The HTML file, as the command writes it, in the reader's language
    html = client.get(f"{url}&format=html", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert html["Content-Type"] == "text/html; charset=utf-8"
    assert 'filename="quality-2026-09.html"' in html["Content-Disposition"]
    text = html.content.decode()
    assert "整个网络服务器系统的障碍次数及障碍历时" in text and "3 小时 20 分钟" in text
    assert "未配置数据来源" in text and "<script" not in text
    assert client.get(f"{url}&format=docx").status_code == 422
    # The report page offers the same PDF
    page = client.get(f"/quality/report/?period={SEPTEMBER}&format=pdf")
    assert page["Content-Type"] == "application/pdf"
    assert "整个网络服务器系统的障碍次数及障碍历时" in pdf_text(page.content)
    # The OpenAPI document says which types the report comes in
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/quality/report"]["get"]
    content = operation["responses"]["200"]["content"]
    assert {"application/json", "application/pdf", XLSX, "text/html"} <= set(content)
    assert any(p["name"] == "format" for p in operation["parameters"])
    # Others are refused whatever the format
    client.force_login(personas.agent)
    assert client.get(f"{url}&format=pdf").status_code == 403
