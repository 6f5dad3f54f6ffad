"""The quality analysis laid out for people (quality/report_sections.py's layout): the
report's ``analysis`` entry as a section — top causes (Pareto), trend, repeats, actions —
and the complaints' improvement actions added to the complaints' section. Category names
are the operator's own (Chinese and English in the taxonomy): the reader's language picks.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from baozhang.quality import report_sections as rs

STATES = {
    "open": pgettext_lazy("action", "Open"),
    "overdue": _("Overdue"),
    "done_on_time": _("Done on time"),
    "done_late": _("Done late"),
}
KINDS = {"corrective": _("Corrective"), "preventive": _("Preventive")}
SUBJECTS = {"incident": _("Fault"), "complaint": _("Complaint")}


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _name(row: dict[str, Any], zh: str = "name", en: str = "name_en") -> str:
    return str(row.get(en) or row[zh]) if _english() else str(row[zh])


def _days(start: str, end: str) -> str:
    first = timezone.localtime(dt.datetime.fromisoformat(start)).date()
    last = timezone.localtime(dt.datetime.fromisoformat(end)).date() - dt.timedelta(days=1)
    return f"{first:%Y-%m-%d} – {last:%Y-%m-%d}"


def _action_figures(a: dict[str, Any]) -> list[rs.Figure]:
    return [
        rs.Figure(_("Improvement actions"), a["count"]),
        rs.Figure(_("Improvement actions done"), a["done"]),
        rs.Figure(_("Improvement actions overdue"), a["overdue"]),
    ]


def _action_table(title: Any, a: dict[str, Any]) -> rs.Table:
    return rs.Table(
        title,
        (_("For"), _("Kind"), _("Action"), _("Owner"), _("Due on"), _("State")),
        (rs.TEXT,) * 6,
        [
            (
                f"{SUBJECTS.get(r['subject_kind'], r['subject_kind'])} {r['subject']}",
                KINDS.get(r["kind"], r["kind"]),
                r["description"],
                r["owner"],
                r["due_on"] or "—",
                STATES.get(r["state"], r["state"]),
            )
            for r in a["records"]
        ],
    )


def with_actions(section: rs.Section, d: dict[str, Any]) -> rs.Section:
    """The complaints' section with their improvement actions."""
    a = d.get("improvement_actions") or {}
    if a.get("source") != "configured":
        return section
    return dataclasses.replace(
        section,
        figures=[*section.figures, *_action_figures(a)],
        tables=[*section.tables, _action_table(_("Improvement actions"), a)],
    )


def section(d: dict[str, Any]) -> rs.Section:
    subjects, actions = d["subjects"], d["actions"]
    keys: list[str] = []
    names: dict[str, str] = {c["category"]: _name(c) for c in d["causes"]}
    for p in d["trend"]:
        keys += [k for k in p["counts"] if k not in keys]
    for k in keys:
        names.setdefault(k, str(_("Unclassified")) if k == "unclassified" else k)
    figures = [
        rs.Figure(_("Faults in the period"), subjects["faults"]),
        rs.Figure(_("Faults analysed"), subjects["faults_analysed"]),
        rs.Figure(_("Complaints upheld"), subjects["complaints_upheld"]),
        rs.Figure(_("Repeats (same service and cause)"), len(d["repeats"])),
        *_action_figures(actions),
    ]
    tables = [
        rs.Table(
            _("Top causes"),
            (_("Cause category"), _("Count"), _("Share"), _("Cumulative share")),
            (rs.TEXT, rs.COUNT, rs.RATE, rs.RATE),
            [
                (names[c["category"]], c["count"], c["share"], c["cumulative_share"])
                for c in d["causes"]
            ],
        ),
        rs.Table(
            _("Trend against the previous periods"),
            (_("Period"), _("Total"), *(names[k] for k in keys)),
            (rs.TEXT, rs.COUNT, *(rs.COUNT for _k in keys)),
            [
                (_days(p["start"], p["end"]), p["total"], *(p["counts"].get(k, 0) for k in keys))
                for p in d["trend"]
            ],
        ),
        rs.Table(
            _("Repeats"),
            (_("Service"), _("Cause category"), _("Count"), _("Faults and complaints")),
            (rs.TEXT, rs.TEXT, rs.COUNT, rs.TEXT),
            [
                (
                    r["service"],
                    _name(r, "category_name", "category_name_en"),
                    r["count"],
                    "; ".join(s["label"] or str(s["id"]) for s in r["subjects"]),
                )
                for r in d["repeats"]
            ],
        ),
        _action_table(_("Improvement actions"), actions),
    ]
    return rs.Section("analysis", rs.TITLES["analysis"], True, figures=figures, tables=tables)
