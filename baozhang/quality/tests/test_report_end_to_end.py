"""The quality report checked as issue 16 says it will be: a seeded month (its incidents, a
monitor with known missed cycles, complaints answered early and late across the National Day
holiday) gives, in the JSON, the XLSX (read back with openpyxl) and the PDF (read back with
pdftotext) made by ``baozhang report quality``, figures equal to an independent calculation
written here from the same records.

The calculation reads the stored rows (incidents, probe results, tickets and callbacks) with
plain queries and applies the rules as the seed states them, with its own list of the 2026
days off and make-up working days (State Council notice): it calls none of the platform's
figures, calendars or clocks."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from baozhang.desk import services as desk
from baozhang.desk.models import Callback, Category, Ticket
from baozhang.incidents import services as incidents
from baozhang.incidents.models import Incident
from baozhang.monitoring import ingest
from baozhang.monitoring.models import Monitor, ProbeResult
from baozhang.monitoring.tests.test_figures import R
from baozhang.quality.report_sections import SHEET_NAMES
from baozhang.quality.tests.test_quality_report_pdf import pdf_text

CST = dt.timezone(dt.timedelta(hours=8))
MONTH_START = dt.datetime(2026, 9, 1, tzinfo=CST)
MONTH_END = dt.datetime(2026, 10, 1, tzinfo=CST)
INTERVAL = dt.timedelta(minutes=10)
CYCLES = 30 * 24 * 6  # September at one check every 10 minutes
FAILING = set(range(500, 506)) | {2500, 2501}  # an hour down, then 20 minutes
SKIPPED = {100, 101, 102, 3500}  # cycles with no check at all (the probe host was away)

# 2026 in China (State Council notice): days off on working days, and weekend days worked.
DAYS_OFF = {dt.date(2026, 9, 25)} | {dt.date(2026, 10, d) for d in (1, 2, 5, 6, 7)}
MAKE_UP_DAYS = {dt.date(2026, 9, 20), dt.date(2026, 10, 10)}
WORKDAY_CLOSE = dt.time(18, 0)  # cn-5x8: 09:00-12:00, 13:00-18:00


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=CST)


@pytest.fixture
def seeded_month(
    personas: Any,
    incident_factory: Callable[..., Any],
    ticket_factory: Callable[..., Ticket],
) -> None:
    """September 2026 as an operator records it."""

    def fault(detected: dt.datetime, minutes: int | None, **kw: Any) -> None:
        incident = incident_factory(detected_at=detected, **kw)
        if minutes is not None:
            incidents.resolve(
                personas.agent,
                incident,
                cause="",
                resolution="ok",
                at=detected + dt.timedelta(minutes=minutes),
            )

    fault(at(8, 31, 23, 30), 70)  # detected in August: not September's
    fault(at(9, 3, 14), 25)
    fault(at(9, 10, 2), 95, classification="equipment_fault", responsibility="outside")
    fault(at(9, 15, 9), 10, classification="major_outage", is_emergency=True)
    fault(
        at(9, 22, 20),
        200,
        classification="egress_link",
        severity="major",
        responsibility="outside",
    )
    fault(
        at(9, 30, 23),
        120,
        classification="software",
        severity="minor",
        is_emergency=True,
        emergency_procedure="启动服务器切换预案 Failover plan",
    )
    fault(at(9, 30, 20), None, classification="human_caused")  # still open at the month's end

    # A monitor checked every 10 minutes, 7 s into each cycle, from before the month.
    monitor = Monitor.objects.create(
        name="官网 Website",
        kind="http",
        target="http://127.0.0.1:9/",
        interval_s=int(INTERVAL.total_seconds()),
        retries=1,
    )
    Monitor.objects.filter(pk=monitor.pk).update(created_at=at(8, 30, 0))
    batch = [
        R(
            monitor.pk,
            "local",
            MONTH_START + i * INTERVAL + dt.timedelta(seconds=7),
            i not in FAILING,
        )
        for i in range(CYCLES)
        if i not in SKIPPED
    ]
    for k in range(0, len(batch), 1000):
        ingest.ingest(batch[k : k + 1000])

    # Complaints, each answered (resolved) at a given time; the written answer is due
    # within 10 working days.
    billing = Category.objects.create(name="计费 Billing")
    for opened, answered, channel, category in (
        (at(9, 15, 10), at(9, 24, 16), "hotline", billing),  # early
        (at(9, 18, 11), at(10, 8, 17), "email", billing),  # across the holiday, in time
        (at(9, 28, 10), at(10, 14, 12), "hotline", None),  # across the holiday, in time
        (at(9, 28, 15), at(10, 19, 12), "portal", None),  # across the holiday, late
        (at(9, 30, 16), at(10, 21, 10), "hotline", billing),  # across the holiday, late
        (at(8, 31, 10), at(9, 2, 10), "hotline", None),  # opened in August: not counted
    ):
        ticket = ticket_factory(kind="complaint", channel=channel, category=category, now=opened)
        desk.change_status(personas.agent, ticket, "resolved", now=answered)
    ticket_factory(kind="fault", channel="portal", now=at(9, 28, 11))  # not a complaint
    complaints = list(Ticket.objects.filter(kind="complaint").order_by("pk"))
    for n, (ticket, score) in enumerate(zip(complaints[:3], (5, 3, 4), strict=True)):
        Callback.objects.create(
            ticket=ticket,
            due_at=at(10, 22, 10),
            survey_token=f"end-to-end-{n}",
            satisfaction=score,
            created_at=at(10, 22, 10),
            done_at=at(10, 22, 10),
            status="done",
        )


# -- the independent calculation --------------------------------------------------------------


def working_day(day: dt.date) -> bool:
    return day in MAKE_UP_DAYS or (day.weekday() < 5 and day not in DAYS_OFF)


def answer_due(opened: dt.datetime) -> dt.datetime:
    """The close of the 10th working day after the day the complaint was received."""
    day, counted = opened.astimezone(CST).date(), 0
    while counted < 10:
        day += dt.timedelta(days=1)
        counted += working_day(day)
    return dt.datetime.combine(day, WORKDAY_CLOSE, tzinfo=CST)


def expected() -> dict[str, Any]:
    """September's figures from the stored rows, by the seed's rules."""
    faults = []
    for i in Incident.objects.order_by("pk").values():
        if not MONTH_START <= i["detected_at"] < MONTH_END:
            continue
        restored = i["resolved_at"]
        stop = restored if restored is not None else MONTH_END
        due = i["detected_at"] + dt.timedelta(minutes=i["restore_target_minutes"])
        missed = (restored or MONTH_END) > due
        faults.append({**i, "seconds": (stop - i["detected_at"]).total_seconds(), "missed": missed})
    # 完好率: every 5-minute cycle of September is a period; abnormal when its check failed
    # or no check came.
    ok_by_cycle: dict[int, bool] = {}
    for checked, ok in ProbeResult.objects.values_list("at", "ok"):
        if MONTH_START <= checked < MONTH_END:
            ok_by_cycle[(checked - MONTH_START) // INTERVAL] = ok
    abnormal = sum(1 for c in range(CYCLES) if not ok_by_cycle.get(c, False))
    complaints = [
        t
        for t in Ticket.objects.filter(kind="complaint").order_by("pk")
        if MONTH_START <= t.created_at < MONTH_END
    ]
    answered = {t.pk: t.resolved_at for t in complaints}
    within = sum(answered[t.pk] <= answer_due(t.created_at) for t in complaints)
    scores = list(
        Callback.objects.filter(ticket__in=complaints, satisfaction__isnull=False).values_list(
            "satisfaction", flat=True
        )
    )
    software_this_year = sum(
        1 for f in faults if f["classification"] == "software"
    )  # none before September in this seed
    return {
        "fault_count": len(faults),
        "fault_seconds": sum(f["seconds"] for f in faults),
        "open": sum(f["resolved_at"] is None for f in faults),
        "major_outages": sum(f["classification"] == "major_outage" for f in faults),
        "inside": sum(f["responsibility"] == "inside" for f in faults),
        "outside": sum(f["responsibility"] == "outside" for f in faults),
        "missed": sum(f["missed"] for f in faults),
        "software_ytd": software_this_year,
        "emergencies": sum(f["is_emergency"] for f in faults),
        "without_plan": sum(f["is_emergency"] and not f["emergency_procedure"] for f in faults),
        "periods": CYCLES,
        "abnormal": abnormal,
        "integrity": (CYCLES - abnormal) / CYCLES,
        "complaints": len(complaints),
        "by_channel": dict(Counter(t.channel for t in complaints)),
        "by_category": dict(Counter(t.category.name if t.category else "" for t in complaints)),
        "answered": len(answered),
        "within": within,
        "share": within / len(complaints),
        "satisfaction_answers": len(scores),
        "satisfaction": sum(scores) / len(scores),
    }


# -- reading the three files back ---------------------------------------------------------------


def sheet_figures(book: Any, key: str) -> dict[str, Any]:
    """A statistic sheet's figures: Chinese heading (row 4) → the value under it (row 6),
    with the cell's number format."""
    rows = list(book[SHEET_NAMES[key]].iter_rows(min_row=4, max_row=6))
    return {
        h.value: (c.value, c.number_format)
        for h, c in zip(rows[0], rows[2], strict=False)
        if h.value
    }


def spoken_seconds(text: str) -> int:
    """'12 小时 45 分钟（765 分钟）' → seconds (read from the words before the brackets)."""
    units = {"天": 86400, "小时": 3600, "分钟": 60, "秒": 1}
    found = re.findall(r"(\d+)\s*(天|小时|分钟|秒)", text.split("（")[0])
    assert found, text
    return sum(int(n) * units[u] for n, u in found)


def pdf_figure(text: str, label: str) -> str:
    """The value printed beside ``label`` in the PDF's figure tables."""
    match = re.search(rf"^\s*{re.escape(label)}\s{{2,}}(\S.*?)\s*$", text, re.MULTILINE)
    assert match, f"{label!r} not found in the PDF"
    return match[1]


def test_json_xlsx_and_pdf_give_the_independent_figures(seeded_month: None, tmp_path: Path) -> None:
    e = expected()
    # Given: the calculation itself holds what the seed was written to hold. Eight faults
    # of September: six recorded by hand (25 + 95 + 10 + 200 + 120 minutes, and 4 hours
    # of the one still open at the month's end) and two the monitor opened itself (its hour
    # down and its 20 minutes down); 12 abnormal cycles (8 failed, 4 with no check);
    # 5 complaints, 3 of them answered within 10 working days.
    assert (e["fault_count"], e["fault_seconds"], e["open"]) == (8, 770 * 60, 1)
    assert (e["missed"], e["inside"], e["outside"]) == (4, 6, 2)
    assert (e["periods"], e["abnormal"]) == (4320, len(FAILING | SKIPPED)) == (4320, 12)
    assert (e["complaints"], e["within"]) == (5, 3)
    # 10 calendar days, or weekdays that ignore the holiday, would have said otherwise
    assert answer_due(at(9, 18, 11)) == at(10, 9, 18)
    assert answer_due(at(9, 28, 10)) == at(10, 16, 18)

    # When the command writes the month's report in the three formats
    files = {fmt: tmp_path / f"quality.{fmt}" for fmt in ("json", "xlsx", "pdf")}
    for fmt, target in files.items():
        call_command("report", "quality", "--period", "2026-09", "--format", fmt, "-o", str(target))

    # Then the JSON (seconds and fractions) has the independent figures
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    faults = data["server_faults"]
    assert (faults["count"], faults["open"]) == (e["fault_count"], e["open"])
    assert faults["duration_seconds"] == e["fault_seconds"]
    integrity = data["collection_integrity"]
    assert (integrity["periods"], integrity["abnormal"], integrity["excluded"]) == (
        e["periods"],
        e["abnormal"],
        0,
    )
    assert integrity["rate"] == pytest.approx(e["integrity"])
    emergencies = data["emergency_events"]
    assert (emergencies["count"], emergencies["without_plan"]) == (
        e["emergencies"],
        e["without_plan"],
    )
    complaints = data["complaints"]
    assert complaints["count"] == e["complaints"]
    assert complaints["by_channel"] == e["by_channel"]
    assert complaints["by_category"] == e["by_category"]
    assert complaints["answered"] == {
        "settled": e["answered"],
        "within_limit": e["within"],
        "share_within_limit": pytest.approx(e["share"]),
        "pending": 0,
    }
    assert complaints["satisfaction"] == {
        "answers": e["satisfaction_answers"],
        "average": pytest.approx(e["satisfaction"]),
    }
    quality = data["operating_quality"]
    assert quality["fault_count"] == e["fault_count"]
    assert quality["fault_duration_seconds"] == e["fault_seconds"]
    assert quality["major_outages"] == e["major_outages"]
    assert quality["responsibility"] == {"inside": e["inside"], "outside": e["outside"]}
    assert quality["targets"]["software_faults"]["year_to_date"] == e["software_ytd"]
    assert quality["targets"]["recovery"]["restore_targets_missed"] == e["missed"]
    for key in ("site_information", "information_security"):
        assert data[key] == {"source": "none", "note": "no source configured / 未配置数据来源"}

    # And the XLSX: numbers as numbers, durations in hours, rates as fractions shown as percentages
    book = load_workbook(files["xlsx"])
    sheet = sheet_figures(book, "server_faults")
    assert sheet["障碍次数"] == (e["fault_count"], "0")
    hours, fmt = sheet["障碍历时（小时）"]
    assert hours == pytest.approx(e["fault_seconds"] / 3600) and fmt == "0.00"
    sheet = sheet_figures(book, "collection_integrity")
    assert sheet["总周期数"][0] == e["periods"]
    assert sheet["非正常周期数"][0] == e["abnormal"]
    rate, fmt = sheet["完好率"]
    assert rate == pytest.approx(e["integrity"]) and fmt == "0.00%"
    sheet = sheet_figures(book, "emergency_events")
    assert sheet["应急事件"][0] == e["emergencies"]
    sheet = sheet_figures(book, "complaints")
    assert sheet["投诉件数"][0] == e["complaints"]
    assert sheet["10个工作日内答复"][0] == e["within"]
    share, fmt = sheet["10个工作日内答复的比例"]
    assert share == pytest.approx(e["share"]) and fmt == "0.00%"
    sheet = sheet_figures(book, "operating_quality")
    assert sheet["通信重大阻断次数"][0] == e["major_outages"]
    assert sheet["超出恢复时限"][0] == e["missed"]
    for key in ("site_information", "information_security"):
        assert book[SHEET_NAMES[key]]["A4"].value == "未配置数据来源 / no source configured"

    # And the PDF (Chinese, the report to the authority): the same figures as text
    text = pdf_text(files["pdf"].read_bytes())
    assert pdf_figure(text, "障碍次数") == str(e["fault_count"])
    assert spoken_seconds(pdf_figure(text, "障碍历时")) == e["fault_seconds"]
    assert pdf_figure(text, "总周期数") == f"{e['periods']:,}"
    assert pdf_figure(text, "非正常周期数") == str(e["abnormal"])
    assert pdf_figure(text, "完好率") == f"{e['integrity'] * 100:.2f} %"
    assert pdf_figure(text, "投诉件数") == str(e["complaints"])
    assert pdf_figure(text, "10个工作日内答复的比例") == f"{e['share'] * 100:.2f} %"
    assert pdf_figure(text, "通信重大阻断次数") == str(e["major_outages"])
    assert pdf_figure(text, "超出恢复时限") == str(e["missed"])
    assert "未配置数据来源" in text
