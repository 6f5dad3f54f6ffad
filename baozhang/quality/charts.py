"""The series behind the quality report's charts (Q3): what the report page draws and
what the PDF prints as tables. Every figure is read through the functions the report
itself uses; nothing here re-implements a rule:

- availability and 完好率 per sub-period (the days of a month, the months of a quarter or
  a year): monitoring's :func:`~baozhang.monitoring.figures.availability_of` per monitor,
  pooled over the scope's monitors by core's
  :func:`~baozhang.core.monitor_rollup.pooled_availability`, and the report's
  :func:`~baozhang.quality.report.collection_integrity` for each sub-period;
- faults by class: the report's ``operating_quality.by_class`` (incidents' fault
  statistics);
- complaints by category as a Pareto: the report's ``complaints.by_category`` ordered
  by core's :func:`~baozhang.core.pareto.pareto` (largest first, cumulative share);
- recovery times against the 30-minute target (F2/F9): the restoration time of each
  incident detected in the period (incidents' ``detected_between``), in bands around the
  target, and the restore targets missed as fault statistics counts them.

Each chart is a :class:`Chart` with its table (the same numbers), so a reader without
the picture, a screen reader and the printed page all have them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from baozhang.core.desk_measures import ratio
from baozhang.core.monitor_rollup import pooled_availability
from baozhang.core.pareto import pareto
from baozhang.incidents import selectors as incidents
from baozhang.incidents.models import DEFAULT_RESTORE_TARGET_MINUTES, OPEN_STATUSES
from baozhang.monitoring import figures as monitoring_figures
from baozhang.quality import report as quality
from baozhang.quality.report_sections import COUNT, HOURS, RATE, TEXT
from baozhang.quality.statistics import Period, Scope

# Bands of restoration time, in minutes (upper bound exclusive; None: no bound).
RECOVERY_BANDS: tuple[tuple[int, int | None, Promise], ...] = (
    (0, 15, _("under 15 min")),
    (15, 30, _("15–30 min")),
    (30, 60, _("30–60 min")),
    (60, 120, _("1–2 h")),
    (120, 240, _("2–4 h")),
    (240, None, _("4 h or more")),
)


@dataclass(frozen=True)
class Series:
    label: Any
    values: list[float | int | None]
    kind: str = COUNT  # COUNT, RATE (a fraction) or HOURS
    axis: str = "y"  # "y" or "y2" (a Pareto's cumulative share)
    style: str = "bar"  # "bar" or "line"


@dataclass(frozen=True)
class Chart:
    key: str
    title: Any
    labels: list[Any]
    series: list[Series]
    label_title: Any = ""  # the heading of the labels' column in the table
    note: Any = ""
    target: float | None = None  # a horizontal target line, in the first series' unit
    target_label: Any = ""
    extra: list[tuple[Any, Any, str]] = field(default_factory=list)  # (label, value, kind)
    meets: list[bool] = field(default_factory=list)  # per label: within the target


def sub_periods(period: Period) -> list[tuple[str, Period]]:
    """The days of a period up to two months long, else its months, each with its label
    (``11-05`` for a day, ``2026-11`` for a month), in local time."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(period.start, zone).date()
    last = (timezone.localtime(period.end, zone) - dt.timedelta(microseconds=1)).date()
    parts: list[tuple[str, Period]] = []
    if (last - first).days <= 62:
        day = first
        while day <= last:
            start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
            end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
            parts.append((f"{day:%m-%d}", Period(max(start, period.start), min(end, period.end))))
            day += dt.timedelta(days=1)
        return parts
    month = first.replace(day=1)
    while month <= last:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        start = dt.datetime.combine(month, dt.time(), tzinfo=zone)
        end = dt.datetime.combine(following, dt.time(), tzinfo=zone)
        parts.append((f"{month:%Y-%m}", Period(max(start, period.start), min(end, period.end))))
        month = following
    return parts


def availability_over_time(
    report: dict[str, Any], period: Period, scope: Scope, *, now: dt.datetime | None = None
) -> Chart:
    """Availability and 完好率 of the scope's monitors (those the report's
    ``collection_integrity`` counted) per sub-period."""
    now = now or timezone.now()
    ids = [m["monitor_id"] for m in report["collection_integrity"].get("monitors", [])]
    labels, availability, integrity = [], [], []
    for label, part in sub_periods(period):
        labels.append(label)
        if part.start >= now:
            availability.append(None)
            integrity.append(None)
            continue
        availability.append(
            pooled_availability(
                monitoring_figures.availability_of(ids, part.start, part.end, now=now).values()
            )
            if ids
            else None
        )
        integrity.append(quality.collection_integrity_totals(part, scope, now=now)["rate"])
    return Chart(
        "availability",
        _("Availability and integrity rate over time"),
        labels,
        [
            Series(_("Availability"), availability, RATE, style="line"),
            Series(_("Integrity rate"), integrity, RATE, style="line"),
        ],
        label_title=_("Period"),
        note=_("Pooled over the monitors in scope; a blank is a time not observed yet."),
    )


def faults_by_class(report: dict[str, Any]) -> Chart:
    from baozhang.incidents.models import Classification

    rows = report["operating_quality"]["by_class"]
    labels = []
    for key in rows:
        try:
            labels.append(Classification(key).label)
        except ValueError:
            labels.append(key)
    return Chart(
        "faults_by_class",
        _("Faults by class"),
        labels,
        [
            Series(_("Fault count"), [r["count"] for r in rows.values()]),
            Series(
                _("Fault duration (hours)"),
                [r["duration_seconds"] / 3600 for r in rows.values()],
                HOURS,
                axis="y2",
            ),
        ],
        label_title=_("Class"),
    )


def complaints_pareto(report: dict[str, Any]) -> Chart | None:
    data = report["complaints"]
    if data.get("source") != "configured":
        return None
    rows = pareto(data["by_category"])  # core's Pareto: largest first, cumulative share
    return Chart(
        "complaints_pareto",
        _("Complaints by category (Pareto)"),
        [r.key or _("(none)") for r in rows],
        [
            Series(_("Number of complaints"), [r.count for r in rows]),
            Series(
                _("Cumulative share"),
                [r.cumulative_share for r in rows],
                RATE,
                axis="y2",
                style="line",
            ),
        ],
        label_title=_("Category"),
    )


def recovery_times(report: dict[str, Any], period: Period, scope: Scope) -> Chart:
    among = quality._scoped_incidents(scope)
    counts = [0] * len(RECOVERY_BANDS)
    not_restored = 0
    rows = incidents.detected_between(period.start, period.end, among).values_list(
        "detected_at", "resolved_at", "status"
    )
    for detected, resolved, status in rows.iterator():
        if resolved is None or status in OPEN_STATUSES:
            not_restored += 1
            continue
        minutes = max((resolved - detected).total_seconds(), 0) / 60
        for i, (low, high, _label) in enumerate(RECOVERY_BANDS):
            if minutes >= low and (high is None or minutes < high):
                counts[i] += 1
                break
    target = DEFAULT_RESTORE_TARGET_MINUTES
    within = sum(
        n
        for (_low, high, _l), n in zip(RECOVERY_BANDS, counts, strict=True)
        if high and high <= target
    )
    restored = sum(counts)
    missed = report["operating_quality"]["targets"]["recovery"]["restore_targets_missed"]
    return Chart(
        "recovery_times",
        _("Recovery times against the 30-minute target"),
        [*(label for _low, _high, label in RECOVERY_BANDS), _("not restored")],
        [Series(_("Faults"), [*counts, not_restored])],
        label_title=_("Time to restore"),
        note=_("The bands up to 30 minutes meet the recovery target."),
        meets=[bool(high and high <= target) for _low, high, _l in RECOVERY_BANDS] + [False],
        extra=[
            (_("Restored within 30 minutes"), within, COUNT),
            (_("Share restored within 30 minutes"), ratio(within, restored), RATE),
            (_("Restore targets missed"), missed, COUNT),
        ],
    )


def charts(
    report: dict[str, Any], *, now: dt.datetime | None = None, live: bool = True
) -> list[Chart]:
    """The report's charts, for the period and scope ``report`` (quality_report's dict)
    was computed for. ``live=False`` (a frozen report): only the charts drawn from the
    report's own figures (faults by class, the complaints' Pareto), not those that read
    the records as they are now."""
    period = Period(
        dt.datetime.fromisoformat(report["period"]["start"]),
        dt.datetime.fromisoformat(report["period"]["end"]),
    )
    names = {f.name for f in fields(Scope)}
    scope = Scope(**{k: v for k, v in report["scope"].items() if k in names})
    out = [availability_over_time(report, period, scope, now=now)] if live else []
    out.append(faults_by_class(report))
    pareto = complaints_pareto(report)
    if pareto is not None:
        out.append(pareto)
    if live:
        out.append(recovery_times(report, period, scope))
    return out


def table(chart: Chart) -> tuple[list[Any], list[str], list[list[Any]]]:
    """(columns, kinds, rows) of a chart's table: one row per label, one column per
    series."""
    columns = [chart.label_title, *(s.label for s in chart.series)]
    kinds = [TEXT, *(s.kind for s in chart.series)]
    rows = [[label, *(s.values[i] for s in chart.series)] for i, label in enumerate(chart.labels)]
    return columns, kinds, rows
