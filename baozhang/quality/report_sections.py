"""The quality report (baozhang/quality/report.py) laid out for people: one section per
statistic with the seed's term as its title, its figures as labelled values (counts,
durations in hours, rates as fractions), and the records behind them. The XLSX workbook
(quality/xlsx.py) and the report page (quality/views.py) both read this layout, so a
figure is labelled and converted in one place.

Labels are English msgids with their Chinese (the seed's terms) in the .po: the page shows
the reader's language, the workbook both (``translation.override``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baozhang.desk.models import Channel
from baozhang.incidents.models import Classification
from baozhang.quality import analysis_sections

COUNT, HOURS, RATE, TEXT, FLAG = "count", "hours", "rate", "text", "flag"

NO_SOURCE = _("no source configured")

TITLES: dict[str, Promise] = {
    "server_faults": _("Faults of the whole server system: count and duration"),
    "collection_integrity": _("Integrity rate of network-management data collection"),
    "equipment_downtime": _("Downtime of servers and main equipment: count and duration"),
    "nms_interruptions": _("Interruptions of the network-management software and duration"),
    "site_information": _("Amount and quality of site information uploaded"),
    "information_security": _("Site information security"),
    "emergency_events": _("Records of emergency events"),
    "complaints": _("Customer complaint statistics"),
    "operating_quality": _("Operating quality"),
    "analysis": _("Quality analysis: causes, repeats and improvement actions"),
}

SHEET_NAMES = {
    "server_faults": "1 障碍次数及历时",
    "collection_integrity": "2 采集完好率",
    "equipment_downtime": "3 设备故障停机",
    "nms_interruptions": "4 网管软件中断",
    "site_information": "5 网站信息上传",
    "information_security": "6 网站信息安全",
    "emergency_events": "7 紧急事件",
    "complaints": "8 客户投诉",
    "operating_quality": "运行质量",
    "analysis": "质量分析",
}


@dataclass(frozen=True)
class Figure:
    label: Any  # a lazy translation or a plain str (a category's own name)
    value: Any  # int, float (hours or a fraction), str, bool or None
    kind: str = COUNT
    # The records behind the figure: the query of its drill-down (quality/drilldown.py),
    # e.g. "what=incidents&state=open", or "".
    link: str = ""
    spoken: Any = None  # the label where the duration is said in words (no unit)


@dataclass(frozen=True)
class Table:
    title: Any
    columns: tuple[Any, ...]
    kinds: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    spoken: tuple[Any, ...] = ()  # the columns where durations are said in words
    # Per row: an incident's id (its page) or a drill-down's query (see Figure.link).
    links: list[int | str | None] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    configured: bool
    note: str = ""
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


# The drill-downs' queries (quality/drilldown.py, the page /quality/report/records/).
INCIDENTS = "what=incidents"
MONITORS = "what=monitors"
COMPLAINTS = "what=complaints"


def _query(base: str, **filters: str) -> str:
    return f"{base}&{urlencode(filters)}"


EQUIPMENT = _query(INCIDENTS, cls=Classification.EQUIPMENT_FAULT)
SOFTWARE_YTD = _query(INCIDENTS, cls=Classification.SOFTWARE, ytd="1")


def _label(choices: Any, key: str) -> Any:
    try:
        return choices(key).label
    except ValueError:
        return key


def _hours(seconds: float) -> float:
    return seconds / 3600


def _generic(data: dict[str, Any]) -> list[Figure]:
    """A provider's own figures (a registered area): its scalar values under their keys."""
    return [
        Figure(key, value, RATE if key.endswith("rate") else COUNT)
        for key, value in data.items()
        if key not in ("source", "note") and isinstance(value, int | float)
    ]


def _server_faults(d: dict[str, Any]) -> Section:
    return Section(
        "server_faults",
        TITLES["server_faults"],
        True,
        figures=[
            Figure(_("Fault count"), d["count"], link=INCIDENTS),
            Figure(_("Not yet restored"), d["open"], link=f"{INCIDENTS}&state=open"),
            Figure(
                _("Fault duration (hours)"),
                _hours(d["duration_seconds"]),
                HOURS,
                link=INCIDENTS,
                spoken=_("Fault duration"),
            ),
        ],
    )


def _integrity(d: dict[str, Any]) -> Section:
    return Section(
        "collection_integrity",
        TITLES["collection_integrity"],
        True,
        figures=[
            Figure(_("Total periods"), d["periods"], link=MONITORS),
            Figure(_("Abnormal periods"), d["abnormal"], link=MONITORS),
            Figure(_("Excluded periods"), d["excluded"], link=MONITORS),
            Figure(_("Integrity rate"), d["rate"], RATE, link=MONITORS),
        ],
    )


def _equipment(d: dict[str, Any]) -> Section:
    if "count" not in d:
        return Section(
            "equipment_downtime", TITLES["equipment_downtime"], True, figures=_generic(d)
        )
    if "units" in d:  # from the asset register (quality/equipment.py)
        return _register_equipment(d)
    return Section(
        "equipment_downtime",
        TITLES["equipment_downtime"],
        True,
        note=d.get("note", ""),
        figures=[
            Figure(_("Downtime count"), d["count"], link=EQUIPMENT),
            Figure(
                _("Downtime duration (hours)"),
                _hours(d["duration_seconds"]),
                HOURS,
                link=EQUIPMENT,
                spoken=_("Downtime duration"),
            ),
        ],
    )


def _register_link(group: str) -> str:
    """The page listing the assets behind a figure (a path: quality/views.records_url)."""
    from django.urls import reverse

    return f"{reverse('equipment:figures')}?group={group}"


def _register_equipment(d: dict[str, Any]) -> Section:
    """Q4(3) from the asset register: downtime, 设备完好率 and 线路可用率."""
    equipment, lines = _register_link("equipment"), _register_link("lines")
    return Section(
        "equipment_downtime",
        TITLES["equipment_downtime"],
        True,
        note=d.get("note", ""),
        figures=[
            Figure(_("Downtime count"), d["count"], link=equipment),
            Figure(
                _("Downtime duration (hours)"),
                _hours(d["duration_seconds"]),
                HOURS,
                link=equipment,
                spoken=_("Downtime duration"),
            ),
            Figure(_("Units"), d["units"], link=equipment),
            Figure(_("Units intact for the whole period"), d["intact_units"], link=equipment),
            Figure(_("Equipment intact rate (time)"), d["intact_time_rate"], RATE),
            Figure(_("Equipment intact rate (units)"), d["intact_unit_rate"], RATE),
            Figure(_("Line availability"), d["line_availability_rate"], RATE, link=lines),
            Figure(
                _("Excluded: announced maintenance (hours)"),
                _hours(d["excluded_seconds"]),
                HOURS,
                spoken=_("Excluded: announced maintenance"),
            ),
        ],
    )


def _local(iso: str) -> str:
    """A time of the report's JSON as people read it: local, to the minute."""
    import datetime as dt

    from django.utils import timezone

    return timezone.localtime(dt.datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M")


def _nms(d: dict[str, Any]) -> Section:
    """Q4(4): the network-management software's outages and the probe regions' gaps."""
    link = _register_link("nms")
    return Section(
        "nms_interruptions",
        TITLES["nms_interruptions"],
        True,
        note=d.get("note", ""),
        figures=[
            Figure(_("Interruptions"), d["count"], link=link),
            Figure(
                _("Interruption duration (hours)"),
                _hours(d["duration_seconds"]),
                HOURS,
                link=link,
                spoken=_("Interruption duration"),
            ),
            Figure(_("Outages of the network-management software"), d["software_count"], link=link),
            Figure(_("Probe regions not reporting"), d["region_gap_count"]),
        ],
        tables=[
            Table(
                _("Probe regions not reporting"),
                (_("Region"), _("From"), _("Until"), _("Duration (hours)")),
                (TEXT, TEXT, TEXT, HOURS),
                [
                    (
                        g["region"],
                        _local(g["start"]),
                        _local(g["end"]),
                        _hours(g["duration_seconds"]),
                    )
                    for g in d["region_gaps"]
                ],
                spoken=(_("Region"), _("From"), _("Until"), _("Duration")),
            )
        ]
        if d["region_gaps"]
        else [],
    )


def _emergencies(d: dict[str, Any]) -> Section:
    records = d["records"]
    return Section(
        "emergency_events",
        TITLES["emergency_events"],
        True,
        figures=[
            Figure(_("Emergency events"), d["count"], link=f"{INCIDENTS}&state=emergency"),
            Figure(
                _("Without a recorded plan"),
                d["without_plan"],
                link=f"{INCIDENTS}&state=emergency_without_plan",
            ),
        ],
        tables=[
            Table(
                _("The events"),
                (_("Reference"), _("Title"), _("Detected"), _("Restored"), _("Plan used")),
                (TEXT, TEXT, "time", "time", TEXT),
                [
                    (
                        r["reference"],
                        r["title"],
                        r["detected_at"],
                        r["resolved_at"],
                        r["plan_used"] or "",
                    )
                    for r in records
                ],
                links=[r["incident_id"] for r in records],
            )
        ],
    )


def _complaints(d: dict[str, Any]) -> Section:
    if d["source"] == "none":
        return Section("complaints", TITLES["complaints"], False, note=d["note"])
    answered, satisfaction = d["answered"], d["satisfaction"]
    return Section(
        "complaints",
        TITLES["complaints"],
        True,
        figures=[
            Figure(_("Number of complaints"), d["count"], link=COMPLAINTS),
            Figure(
                _("Complaints answered"), answered["settled"], link=f"{COMPLAINTS}&answer=settled"
            ),
            Figure(
                _("Answered within 10 working days"),
                answered["within_limit"],
                link=f"{COMPLAINTS}&answer=within",
            ),
            Figure(
                _("Share answered within 10 working days"),
                answered["share_within_limit"],
                RATE,
                link=f"{COMPLAINTS}&answer=settled",
            ),
            Figure(_("Not yet answered"), answered["pending"], link=f"{COMPLAINTS}&answer=pending"),
            Figure(
                _("Satisfaction answers"),
                satisfaction["answers"],
                link=f"{COMPLAINTS}&answer=rated",
            ),
            Figure(
                _("Average satisfaction (1–5)"),
                satisfaction["average"],
                TEXT,
                link=f"{COMPLAINTS}&answer=rated",
            ),
        ],
        tables=[
            Table(
                _("By category"),
                (_("Category"), _("Number of complaints")),
                (TEXT, COUNT),
                [(name or _("(none)"), n) for name, n in d["by_category"].items()],
                links=[_query(COMPLAINTS, category=name) for name in d["by_category"]],
            ),
            Table(
                _("By channel"),
                (_("Channel"), _("Number of complaints")),
                (TEXT, COUNT),
                [(_label(Channel, name), n) for name, n in d["by_channel"].items()],
                links=[_query(COMPLAINTS, channel=name) for name in d["by_channel"]],
            ),
        ],
    )


def _operating(d: dict[str, Any]) -> Section:
    software, recovery = d["targets"]["software_faults"], d["targets"]["recovery"]
    return Section(
        "operating_quality",
        TITLES["operating_quality"],
        True,
        figures=[
            Figure(_("Fault count"), d["fault_count"], link=INCIDENTS),
            Figure(
                _("Fault duration (hours)"),
                _hours(d["fault_duration_seconds"]),
                HOURS,
                link=INCIDENTS,
                spoken=_("Fault duration"),
            ),
            Figure(
                _("Major outages"),
                d["major_outages"],
                link=_query(INCIDENTS, cls=Classification.MAJOR_OUTAGE),
            ),
            Figure(
                _("Inside the operations department's responsibility"),
                d["responsibility"]["inside"],
                link=_query(INCIDENTS, responsibility="inside"),
            ),
            Figure(
                _("Outside the operations department's responsibility"),
                d["responsibility"]["outside"],
                link=_query(INCIDENTS, responsibility="outside"),
            ),
            Figure(_("Software faults this year"), software["year_to_date"], link=SOFTWARE_YTD),
            Figure(_("Software faults allowed a year"), software["limit_per_year"]),
            Figure(_("Software fault target met"), software["met"], FLAG, link=SOFTWARE_YTD),
            Figure(
                _("Restore targets missed"),
                recovery["restore_targets_missed"],
                link=f"{INCIDENTS}&state=missed",
            ),
            Figure(
                _("Recovery target met"), recovery["met"], FLAG, link=f"{INCIDENTS}&state=missed"
            ),
        ],
        tables=[
            Table(
                _("Faults by class"),
                (_("Class"), _("Fault count"), _("Fault duration (hours)")),
                (TEXT, COUNT, HOURS),
                [
                    (_label(Classification, key), r["count"], _hours(r["duration_seconds"]))
                    for key, r in d["by_class"].items()
                ],
                spoken=(_("Class"), _("Fault count"), _("Fault duration")),
                links=[_query(INCIDENTS, cls=key) for key in d["by_class"]],
            )
        ],
    )


_BUILDERS = {
    "server_faults": _server_faults,
    "collection_integrity": _integrity,
    "equipment_downtime": _equipment,
    "nms_interruptions": _nms,
    "emergency_events": _emergencies,
    # with the improvement actions of the complaints' analyses (Q2)
    "complaints": lambda d: analysis_sections.with_actions(_complaints(d), d),
    "operating_quality": _operating,
    "analysis": lambda d: analysis_sections.section(d),
}


def sections(report: dict[str, Any]) -> list[Section]:
    """One section per statistic of ``report`` (quality_report's dict), in its order."""
    from baozhang.quality.report import KEYS

    out = []
    for key in KEYS:
        data = report[key]
        if data["source"] == "none":
            out.append(Section(key, TITLES[key], False, note=data.get("note", "")))
        elif key in _BUILDERS:
            out.append(_BUILDERS[key](data))
        else:
            out.append(Section(key, TITLES[key], True, figures=_generic(data)))
    return out
