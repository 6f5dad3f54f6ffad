"""Reading cause analyses (Q2, S4). The areas that own the subjects (incidents, desk) say
which subjects belong to a period or a scope — as ids or a queryset of ids — and these
functions count over the analyses of those subjects, so that a figure here matches the
period and scope of every other statistic of the report (quality/report.py).

An action's state on a day (:func:`action_state`): ``done_on_time`` (done on or before its
due day, or done without one), ``done_late`` (done after its due day), ``overdue`` (not done,
its due day has passed), ``open`` (not done, not yet due or without a due day).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff
from baozhang.analysis.models import Action, Analysis, CauseCategory, SubjectKind
from baozhang.core.pareto import pareto

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

Ids = Iterable[int] | QuerySet[Any]

OPEN, OVERDUE, DONE_ON_TIME, DONE_LATE = "open", "overdue", "done_on_time", "done_late"
STATES = (OPEN, OVERDUE, DONE_ON_TIME, DONE_LATE)
UNCLASSIFIED = "unclassified"


def analysis_of(kind: str, subject_id: int) -> Analysis | None:
    return (
        Analysis.objects.select_related("category", "service", "analysed_by")
        .filter(subject_kind=kind, subject_id=subject_id)
        .first()
    )


def actions_of(kind: str, subject_id: int) -> QuerySet[Action]:
    """The actions of one subject's analysis (none before it is analysed)."""
    return Action.objects.filter(analysis__subject_kind=kind, analysis__subject_id=subject_id)


def categories(*, active_only: bool = False) -> QuerySet[CauseCategory]:
    qs = CauseCategory.objects.all()
    return qs.filter(active=True) if active_only else qs


def choosable_categories(current: CauseCategory | None = None) -> QuerySet[CauseCategory]:
    """The active categories, and the one already chosen even if deactivated since."""
    qs = CauseCategory.objects.filter(active=True)
    if current is not None:
        qs = CauseCategory.objects.filter(Q(active=True) | Q(pk=current.pk))
    return qs


def visible_actions(user: User | AnonymousUser) -> QuerySet[Action]:
    """Improvement actions are the operator's own work: staff only."""
    qs = Action.objects.select_related("analysis", "analysis__category", "owner", "done_by")
    return qs if is_operator_staff(user) else qs.none()


def today() -> dt.date:
    return timezone.localdate()


def action_state(action: Action, on: dt.date | None = None) -> str:
    on = on or today()
    if action.done_at is not None:
        done = timezone.localtime(action.done_at).date()
        return DONE_LATE if action.due_on is not None and done > action.due_on else DONE_ON_TIME
    if action.due_on is not None and action.due_on < on:
        return OVERDUE
    return OPEN


def with_state(qs: QuerySet[Action], state: str, on: dt.date | None = None) -> QuerySet[Action]:
    """The actions of ``qs`` in ``state`` on a day (``done`` for both kinds of done). Done on
    time/late compare the local day of doing with the due day, so those two filter in
    Python; open and overdue filter in the database."""
    on = on or today()
    if state == OPEN:
        return qs.filter(done_at__isnull=True).filter(Q(due_on__isnull=True) | Q(due_on__gte=on))
    if state == OVERDUE:
        return qs.filter(done_at__isnull=True, due_on__lt=on)
    if state == "done":
        return qs.filter(done_at__isnull=False)
    if state in (DONE_ON_TIME, DONE_LATE):
        ids = [a.pk for a in qs.filter(done_at__isnull=False) if action_state(a, on) == state]
        return qs.filter(pk__in=ids)
    return qs


def subjects_filter(
    subjects: Mapping[str, Ids], *, upheld_only: bool = True, service_id: int | None = None
) -> Q:
    """The analyses of the given subjects ({kind: ids}); complaints only if upheld (a
    complaint found unjustified has no cause of ours), and with ``service_id`` only those
    whose analysis names that service (a complaint records no service of its own)."""
    q = Q(pk__in=[])
    for kind, ids in subjects.items():
        part = Q(subject_kind=kind, subject_id__in=ids)
        if kind == SubjectKind.COMPLAINT and upheld_only:
            part &= Q(upheld=True)
        if kind == SubjectKind.COMPLAINT and service_id is not None:
            part &= Q(service_id=service_id)
        q |= part
    return q


def analyses_of(
    subjects: Mapping[str, Ids], *, upheld_only: bool = True, service_id: int | None = None
) -> QuerySet[Analysis]:
    return Analysis.objects.filter(
        subjects_filter(subjects, upheld_only=upheld_only, service_id=service_id)
    )


def category_counts(subjects: Mapping[str, Ids], *, service_id: int | None = None) -> Counter[str]:
    """Analysed subjects by cause category key (``unclassified`` where none is set)."""
    rows = analyses_of(subjects, service_id=service_id).values_list("category__key", flat=True)
    return Counter(key or UNCLASSIFIED for key in rows)


def _names() -> dict[str, dict[str, Any]]:
    names = {
        c.key: {"name": c.name, "name_en": c.name_en, "position": c.position}
        for c in CauseCategory.objects.all()
    }
    names[UNCLASSIFIED] = {"name": "未分类", "name_en": "Unclassified", "position": 10**6}
    return names


def pareto_of(
    subjects: Mapping[str, Ids], *, service_id: int | None = None
) -> list[dict[str, Any]]:
    """The causes of the subjects, most frequent first: category key, names, count, share
    and cumulative share (fractions 0–1)."""
    names = _names()
    counts = category_counts(subjects, service_id=service_id)
    order = {k: v["position"] for k, v in names.items()}
    return [
        {
            "category": row.key,
            "name": names.get(str(row.key), {}).get("name", str(row.key)),
            "name_en": names.get(str(row.key), {}).get("name_en", str(row.key)),
            "count": row.count,
            "share": row.share,
            "cumulative_share": row.cumulative_share,
        }
        for row in pareto(counts, order)
    ]


def repeats(subjects: Mapping[str, Ids], *, service_id: int | None = None) -> list[dict[str, Any]]:
    """Repeats among the subjects: the same service and the same cause category more than
    once. (When the asset register lands, an analysis that names an asset repeats on the
    asset instead: group by ``asset`` first, then service.)"""
    rows = (
        analyses_of(subjects, service_id=service_id)
        .filter(service__isnull=False, category__isnull=False)
        .select_related("service", "category")
        .order_by("occurred_at", "id")
    )
    groups: dict[tuple[int, int], list[Analysis]] = {}
    for a in rows:
        groups.setdefault((a.service_id, a.category_id), []).append(a)  # type: ignore[arg-type]
    out = []
    for found in groups.values():
        if len(found) < 2:
            continue
        first = found[0]
        out.append(
            {
                "service_id": first.service_id,
                "service": str(first.service),
                "category": first.category.key,  # type: ignore[union-attr]
                "category_name": first.category.name,  # type: ignore[union-attr]
                "category_name_en": first.category.name_en,  # type: ignore[union-attr]
                "count": len(found),
                "subjects": [
                    {"kind": a.subject_kind, "id": a.subject_id, "label": a.subject_label}
                    for a in found
                ],
            }
        )
    out.sort(key=lambda r: (-r["count"], r["service"], r["category"]))
    return out


def actions_summary(qs: QuerySet[Action], on: dt.date | None = None) -> dict[str, Any]:
    """Counts by state, and the records (for the report's drill-down)."""
    on = on or today()
    records = []
    counts = Counter({s: 0 for s in STATES})
    for a in qs.select_related("analysis", "owner").order_by("due_on", "id"):
        state = action_state(a, on)
        counts[state] += 1
        records.append(
            {
                "action_id": a.pk,
                "subject_kind": a.analysis.subject_kind,
                "subject_id": a.analysis.subject_id,
                "subject": a.analysis.subject_label,
                "kind": a.kind,
                "description": a.description,
                "owner": str(a.owner),
                "due_on": a.due_on.isoformat() if a.due_on else None,
                "done_at": a.done_at.isoformat() if a.done_at else None,
                "state": state,
            }
        )
    return {
        "count": len(records),
        "done": counts[DONE_ON_TIME] + counts[DONE_LATE],
        "overdue": counts[OVERDUE],
        "by_state": dict(counts),
        "records": records,
    }


def actions_among(
    subjects: Mapping[str, Ids], *, upheld_only: bool = False, service_id: int | None = None
) -> QuerySet[Action]:
    """The actions of the analyses of the subjects (every complaint's, upheld or not, unless
    ``upheld_only``: an action may follow a complaint that was not upheld)."""
    found = analyses_of(subjects, upheld_only=upheld_only, service_id=service_id)
    return Action.objects.filter(analysis__in=found.values("pk"))
