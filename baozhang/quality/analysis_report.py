"""The quality analysis of the report (Q2, S4): the causes of a period's faults and upheld
complaints, read from cause analysis (baozhang/analysis/selectors.py).

quality/report.py gives, for a period, the faults (incidents detected in it) and the
complaints (opened in it) of the report's scope; the figures here count the analyses of
those subjects, so they agree with the report's other statistics by construction:

``analysis`` (the report's entry)
    ``subjects``: faults in the period, how many of them are analysed, complaints, how many
    are upheld; ``causes``: the Pareto of cause categories over the analysed faults and
    upheld complaints (``category``, ``name``, ``name_en``, ``count``, ``share``,
    ``cumulative_share``, most frequent first, ``unclassified`` where no category is set);
    ``trend``: the counts by category of the same kind of subjects over the previous 3
    periods of the same length and this one, oldest first (``start``, ``end``, ``total``,
    ``counts``); ``repeats``: the same service and cause category more than once in the
    period (``service_id``, ``service``, ``category``, ``count``, ``subjects``);
    ``actions``: the state of the corrective and preventive actions of the period's
    analyses (``count``, ``done``, ``overdue``, ``by_state`` — open, overdue, done_on_time,
    done_late — and ``records``), as they stand on the day the report is made (a frozen
    report keeps them as they stood when it was frozen).
``complaints.improvement_actions``
    The actions of the analyses of the period's complaints, upheld or not, in the same
    form as ``analysis.actions``.

For a one-service scope the complaints are those whose analysis names that service (a
complaint records no service of its own).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from baozhang.analysis import selectors as analysis
from baozhang.analysis.models import SubjectKind
from baozhang.desk.selectors import complaints_opened
from baozhang.quality import desk_measures as desk
from baozhang.quality.statistics import Period

TREND_PERIODS = 3

Subjects = Callable[[Period], dict[str, Any]]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def previous_periods(period: Period, n: int = TREND_PERIODS) -> list[Period]:
    """The ``n`` periods of the same length before ``period``, oldest first: whole
    calendar months (a month, a quarter, a year) step by months, other spans by days."""
    first = timezone.localtime(period.start).date()
    after = timezone.localtime(period.end).date()  # the day after the last
    out = []
    if first.day == 1 and after.day == 1:
        months = (after.year * 12 + after.month) - (first.year * 12 + first.month)
        for k in range(n, 0, -1):
            start = _add_months(first, -months * k)
            end = _add_months(first, -months * (k - 1))
            out.append(Period(*desk.period_bounds(start, end - dt.timedelta(days=1))))
    else:
        days = (after - first).days
        for k in range(n, 0, -1):
            start = first - dt.timedelta(days=days * k)
            out.append(Period(*desk.period_bounds(start, start + dt.timedelta(days=days - 1))))
    return out


def subjects_of(
    period: Period,
    incidents: QuerySet[Any],
    complaints: QuerySet[Any] | None,
    service_id: int | None = None,
) -> dict[str, Any]:
    """The subjects of a period for analysis' selectors: {kind: a queryset of ids} (one
    query each) and ``service_id``. ``incidents``: the scope's incidents, of which those
    detected in the period count (the period a fault belongs to, as the fault statistics
    count it); ``complaints``: the scope's complaints opened in the period, or None for a
    one-service scope — then every complaint of the period whose analysis names the
    service."""
    faults = incidents.filter(detected_at__gte=period.start, detected_at__lt=period.end)
    if complaints is None:
        complaints = complaints_opened(period.start, period.end)
    return {
        SubjectKind.INCIDENT: faults.order_by().values("pk"),
        SubjectKind.COMPLAINT: complaints.order_by().values("pk"),
        "service_id": service_id,
    }


def _split(subjects: dict[str, Any]) -> tuple[dict[str, Any], int | None]:
    """{kind: ids} and the one service of the scope (or None)."""
    rest = {k: v for k, v in subjects.items() if k != "service_id" and v is not None}
    return rest, subjects.get("service_id")


def improvement_actions(subjects: dict[str, Any], on: dt.date | None = None) -> dict[str, Any]:
    """The actions of the analyses of the period's complaints (upheld or not)."""
    ids, service_id = _split(subjects)
    actions = analysis.actions_among(
        {SubjectKind.COMPLAINT: ids[SubjectKind.COMPLAINT]}, service_id=service_id
    )
    return {"source": "configured", **analysis.actions_summary(actions, on)}


def _counts(subjects: dict[str, Any]) -> dict[str, int]:
    ids, service_id = _split(subjects)
    return dict(analysis.category_counts(ids, service_id=service_id))


def causes(period: Period, subjects: Subjects, *, on: dt.date | None = None) -> dict[str, Any]:
    """The report's ``analysis`` entry (see the module's docstring)."""
    now = subjects(period)
    ids, service_id = _split(now)
    faults = ids[SubjectKind.INCIDENT]
    analysed = analysis.analyses_of(ids, upheld_only=False, service_id=service_id)
    trend = []
    for p in [*previous_periods(period), period]:
        counts = _counts(now if p is period else subjects(p))
        trend.append(
            {
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "total": sum(counts.values()),
                "counts": dict(sorted(counts.items())),
            }
        )
    complaints = ids.get(SubjectKind.COMPLAINT)
    return {
        "source": "configured",
        "subjects": {
            "faults": faults.count(),
            "faults_analysed": analysed.filter(subject_kind=SubjectKind.INCIDENT).count(),
            "complaints_analysed": analysed.filter(subject_kind=SubjectKind.COMPLAINT).count(),
            "complaints_upheld": analysed.filter(
                subject_kind=SubjectKind.COMPLAINT, upheld=True
            ).count(),
            # complaints opened in the period (None for one service: see the docstring)
            "complaints": (
                complaints.count() if complaints is not None and service_id is None else None
            ),
        },
        "causes": analysis.pareto_of(ids, service_id=service_id),
        "trend": trend,
        "repeats": analysis.repeats(ids, service_id=service_id),
        "actions": analysis.actions_summary(analysis.actions_among(ids, service_id=service_id), on),
    }
