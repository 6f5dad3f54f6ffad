"""The quality report as an XLSX workbook (openpyxl, write-only so a year's report
streams): a first sheet with the period, scope, time generated and a summary, then one
sheet per statistic headed by the seed's Chinese terms with the English on the second
row. Counts are numbers, durations hours (number format 0.00, the unit in the heading),
rates fractions formatted as percentages (0.00%). A statistic without a source has its
sheet with the line "未配置数据来源 / no source configured"."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.utils import timezone, translation
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from baozhang.quality.report_sections import (
    COUNT,
    FLAG,
    HOURS,
    NO_SOURCE,
    RATE,
    SHEET_NAMES,
    Section,
    sections,
)

_FORMATS = {HOURS: "0.00", RATE: "0.00%", COUNT: "0"}
_BOLD = Font(bold=True)


def _both(text: Any) -> tuple[str, str]:
    """(Chinese, English) of a lazy msgid; a plain string stays itself in both."""
    with translation.override("zh-hans"):
        zh = str(text)
    with translation.override("en"):
        en = str(text)
    return zh, en


def _heading(sheet: WriteOnlyWorksheet, labels: list[Any]) -> None:
    pairs = [_both(label) for label in labels]
    for row in (0, 1):
        cells = []
        for pair in pairs:
            cell = WriteOnlyCell(sheet, value=pair[row])
            if row == 0:
                cell.font = _BOLD
            cells.append(cell)
        sheet.append(cells)


def _cell(sheet: WriteOnlyWorksheet, value: Any, kind: str) -> WriteOnlyCell:
    if kind == FLAG and isinstance(value, bool):
        value = "是 / yes" if value else "否 / no"
    elif kind == "time" and value:
        value = timezone.localtime(dt.datetime.fromisoformat(value)).strftime("%Y-%m-%d %H:%M")
    elif not isinstance(value, int | float | str | type(None)):
        value = " / ".join(dict.fromkeys(_both(value)))
    cell = WriteOnlyCell(sheet, value=value)
    if kind in _FORMATS and isinstance(value, int | float) and not isinstance(value, bool):
        cell.number_format = _FORMATS[kind]
    return cell


def _statistic_sheet(book: Workbook, section: Section) -> None:
    sheet = book.create_sheet(SHEET_NAMES[section.key])
    zh, en = _both(section.title)
    sheet.append([WriteOnlyCell(sheet, value=zh)])
    sheet.append([en])
    sheet.append([])
    if not section.configured:
        no_zh, no_en = _both(NO_SOURCE)
        sheet.append([f"{no_zh} / {no_en}"])
        if section.note and "未配置" not in section.note:
            sheet.append([section.note])
        return
    if section.figures:
        _heading(sheet, [f.label for f in section.figures])
        sheet.append([_cell(sheet, f.value, f.kind) for f in section.figures])
    if section.note:
        sheet.append([])
        sheet.append([section.note])
    for table in section.tables:
        sheet.append([])
        t_zh, t_en = _both(table.title)
        sheet.append([f"{t_zh} / {t_en}"])
        _heading(sheet, list(table.columns))
        for row in table.rows:
            sheet.append([_cell(sheet, v, k) for v, k in zip(row, table.kinds, strict=True)])


def _summary_sheet(book: Workbook, report: dict[str, Any], parts: list[Section]) -> None:
    sheet = book.create_sheet("概况 Summary")
    start = timezone.localtime(dt.datetime.fromisoformat(report["period"]["start"]))
    last = timezone.localtime(dt.datetime.fromisoformat(report["period"]["end"])) - dt.timedelta(
        days=1
    )
    scope = report["scope"]
    if scope["customer_id"] is not None:
        scope_text = f"客户 / customer #{scope['customer_id']}"
    elif scope["service_id"] is not None:
        scope_text = f"服务 / service #{scope['service_id']}"
    else:
        scope_text = "全部 / the whole operator"
    now = timezone.localtime()
    sheet.append([WriteOnlyCell(sheet, value="网管系统运行质量统计报表")])
    sheet.append(["Quality statistics of the network-management system"])
    sheet.append([])
    sheet.append(["统计期 / Period", report["period"]["label"] or ""])
    sheet.append(["起止 / From – to", f"{start:%Y-%m-%d} – {last:%Y-%m-%d}"])
    sheet.append(["范围 / Scope", scope_text])
    sheet.append(["生成时间 / Generated", f"{now:%Y-%m-%d %H:%M} ({now.tzname()})"])
    sheet.append([])
    sheet.append(
        [WriteOnlyCell(sheet, value=t) for t in ("统计项目", "数据来源", "主要数值", "项目")]
    )
    sheet.append(["Statistic", "Source", "Main figure", "Figure"])
    for part in parts:
        zh, en = _both(part.title)
        if not part.configured:
            no_zh, no_en = _both(NO_SOURCE)
            sheet.append([f"{zh} / {en}", f"{no_zh} / {no_en}"])
            continue
        main = part.figures[0] if part.figures else None
        row: list[Any] = [f"{zh} / {en}", "已配置 / configured"]
        if main is not None:
            label_zh, label_en = _both(main.label)
            row += [_cell(sheet, main.value, main.kind), f"{label_zh} / {label_en}"]
        sheet.append(row)


def write_workbook(report: dict[str, Any], target: str | IO[bytes]) -> None:
    """Write quality_report's ``report`` as an XLSX workbook to a path or binary file."""
    book = Workbook(write_only=True)
    parts = sections(report)
    _summary_sheet(book, report, parts)
    for part in parts:
        _statistic_sheet(book, part)
    book.save(target)
