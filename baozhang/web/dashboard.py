"""The staff dashboard's two parts (issue 18 §6): what needs someone now, each with the
list behind it, and the trends as charts, each with its table.

Every count and figure is read through the area that owns it (desk's queue views,
incidents' and monitoring's selectors, staffing's roster check, notify's delivery log and
notices that reached no one, upkeep's late work orders, patches past their deadline,
emergency plans whose drill is due, quality's statistics for availability and deadline
compliance): nothing here re-implements a rule; this module only gathers and labels.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baozhang.changes.selectors import drills_due
from baozhang.core.monitor_rollup import pooled_availability
from baozhang.desk.selectors import deadline_alerts, opened_and_resolved_by_day
from baozhang.incidents.models import OPEN_STATUSES
from baozhang.incidents.selectors import visible_incidents
from baozhang.monitoring.models import MonitorStatus
from baozhang.monitoring.selectors import visible_monitors
from baozhang.notify.models import MessageStatus
from baozhang.notify.selectors import still_unreachable, visible_messages, visible_unreached
from baozhang.patches.selectors import overdue as patches_overdue
from baozhang.patches.selectors import visible_statuses as visible_patch_statuses
from baozhang.quality import statistics
from baozhang.quality.charts import Chart, Series
from baozhang.quality.report_sections import COUNT, RATE
from baozhang.staffing.selectors import coverage_report, lookahead
from baozhang.upkeep.selectors import Show as OrderShow
from baozhang.upkeep.selectors import filter_orders, visible_orders

if TYPE_CHECKING:
    from baozhang.accounts.models import User

#: How far ahead the dashboard looks for roster gaps.
ROSTER_DAYS = 7
#: Days in the tickets chart; weeks in the deadline compliance chart.
TICKET_DAYS = 14
COMPLIANCE_WEEKS = 6
#: Names shown on a card before "and N more".
NAMES_SHOWN = 5


@dataclass(frozen=True)
class Attention:
    """One thing that may need someone now: how many, and the list behind it."""

    key: str
    label: Any
    count: int | None  # None: could not be checked (``note`` says why)
    url: str
    note: Any = ""
    names: list[str] = field(default_factory=list)
    more: int = 0

    @property
    def urgent(self) -> bool:
        return bool(self.count)


def _roster_gaps(now: dt.datetime) -> tuple[int | None, Any]:
    start, end = lookahead(now, ROSTER_DAYS)
    try:
        report = coverage_report(start, end, now)
    except KeyError:  # the promise names a calendar that no longer exists
        return None, _("The coverage promise names a calendar that does not exist.")
    return len(report.upcoming_gaps), ""


def _unreached(user: User, now: dt.datetime) -> tuple[int, list[str]]:
    """Recipients that notices could not reach and still cannot (distinct), their names."""
    rows = still_unreachable(visible_unreached(user), now).select_related(None)
    whom: dict[tuple[str, int | str], str] = {}
    for org_id, org_name, user_id, username, display, label in rows.values_list(
        "organisation_id",
        "organisation__name",
        "user_id",
        "user__username",
        "user__display_name",
        "label",
    ).order_by("-created_at", "-id")[:500]:
        if user_id is not None:
            whom.setdefault(("u", user_id), display or username)
        elif org_id is not None:
            whom.setdefault(("o", org_id), org_name)
        else:
            whom.setdefault(("g", label), label or str(_("a desk level")))
    return len(whom), list(whom.values())


def needs_attention(user: User, now: dt.datetime) -> list[Attention]:
    """The cards of "needs someone now", in the order a duty officer reads them."""
    breached, due_soon = deadline_alerts(user, now)
    monitors_down = visible_monitors(user).filter(enabled=True, status=MonitorStatus.DOWN)
    gaps, gaps_note = _roster_gaps(now)
    unreached, names = _unreached(user, now)
    drills = [plan.name for plan, _standing in drills_due(timezone.localdate(now))]
    late_orders = filter_orders(visible_orders(user), user=user, show=OrderShow.LATE, now=now)
    queue = reverse("desk:tickets")
    return [
        Attention("breached", _("Deadlines breached"), breached, f"{queue}?view=breached"),
        Attention("due_soon", _("Deadlines near"), due_soon, f"{queue}?view=due_soon"),
        Attention(
            "open_incidents",
            _("Open incidents"),
            visible_incidents(user).filter(status__in=OPEN_STATUSES).count(),
            f"{reverse('incidents:list')}?status=open",
        ),
        Attention(
            "monitors_down",
            _("Monitors down"),
            monitors_down.count(),
            f"{reverse('monitoring:monitors')}?status=down",
        ),
        Attention(
            "roster_gaps",
            _("Roster gaps, next 7 days"),
            gaps,
            reverse("staffing:roster"),
            note=gaps_note,
        ),
        Attention(
            "undeliverable",
            _("Messages not delivered"),
            visible_messages(user, MessageStatus.DEAD).order_by().count(),
            f"{reverse('notify:message_list')}?status={MessageStatus.DEAD}",
        ),
        Attention(
            "not_notified",
            _("Not notified: no channel reaches them"),
            unreached,
            reverse("notify:unreached"),
            names=names[:NAMES_SHOWN],
            more=max(len(names) - NAMES_SHOWN, 0),
        ),
        Attention(
            "work_orders_late",
            _("Maintenance work orders late"),
            late_orders.order_by().count(),
            f"{reverse('upkeep:orders')}?show={OrderShow.LATE}",
        ),
        Attention(
            "patches_overdue",
            _("Patches past their deadline"),
            patches_overdue(visible_patch_statuses(user), now).order_by().count(),
            reverse("patches:overdue"),
        ),
        Attention(
            "drills_due",
            _("Emergency drills due"),
            len(drills),
            reverse("changes:plans"),
            names=drills[:NAMES_SHOWN],
            more=max(len(drills) - NAMES_SHOWN, 0),
        ),
    ]


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


def tickets_chart(user: User, now: dt.datetime) -> Chart:
    """Tickets opened and resolved on each of the last TICKET_DAYS days (today included)."""
    today = timezone.localtime(now).date()
    days = [today - dt.timedelta(days=n) for n in range(TICKET_DAYS - 1, -1, -1)]
    opened, resolved = opened_and_resolved_by_day(
        user, _local_midnight(days[0]), _local_midnight(today + dt.timedelta(days=1))
    )
    return Chart(
        "tickets",
        _("Tickets opened and resolved per day"),
        [f"{d:%m-%d}" for d in days],
        [
            Series(_("Tickets opened"), [opened.get(d, 0) for d in days]),
            Series(_("Tickets resolved"), [resolved.get(d, 0) for d in days]),
        ],
        label_title=_("Day"),
    )


def availability_chart(user: User, now: dt.datetime) -> Chart:
    """This month's availability of each service, pooled over its monitors (quality's
    statistics per monitor, core's pooled availability)."""
    start = _local_midnight(timezone.localtime(now).date().replace(day=1))
    monitors = list(
        visible_monitors(user).filter(enabled=True).prefetch_related("services").order_by("pk")
    )
    by_service: dict[Any, list[int]] = {}
    for monitor in monitors:
        for service in monitor.services.all():
            by_service.setdefault(service, []).append(monitor.pk)
    figures = (
        statistics.availability(
            statistics.Period(start, now),
            statistics.Scope(user=user, monitor_ids=tuple(m.pk for m in monitors)),
            now=now,
        )
        if monitors and now > start
        else {}
    )
    services = sorted(by_service, key=lambda s: (s.display_name(), s.pk))
    return Chart(
        "availability",
        _("Availability per service, this month"),
        [s.display_name() for s in services],
        [
            Series(
                _("Availability"),
                [
                    pooled_availability(figures[i] for i in by_service[s] if i in figures)
                    for s in services
                ],
                RATE,
            )
        ],
        label_title=_("Service"),
        note=_("Announced maintenance and time not observed are excluded; a blank is none."),
    )


def compliance_chart(user: User, now: dt.datetime) -> Chart:
    """The share of deadlines met per week (tickets opened that week), the last
    COMPLIANCE_WEEKS weeks, as the desk measures count it (quality's statistics)."""
    today = timezone.localtime(now).date()
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [monday - dt.timedelta(weeks=n) for n in range(COMPLIANCE_WEEKS - 1, -1, -1)]
    bounds = [
        (_local_midnight(first), min(_local_midnight(first + dt.timedelta(days=7)), now))
        for first in weeks
    ]
    begun = [statistics.Period(start, end) for start, end in bounds if end > start]
    # One read for all the weeks, not one per week.
    totals = iter(statistics.desk_totals_by_period(begun, statistics.Scope(user=user)))
    rates: list[float | None] = []
    finished: list[int] = []
    for start, end in bounds:
        week = next(totals) if end > start else None
        rates.append(week.sla_attainment if week else None)
        finished.append(week.clocks_finished if week else 0)
    labels = [f"{first:%m-%d}" for first in weeks]
    return Chart(
        "compliance",
        _("Deadline compliance per week"),
        labels,
        [
            Series(_("Deadlines met"), rates, RATE),
            Series(_("Clocks finished"), finished, COUNT, axis="y2", style="line"),
        ],
        label_title=_("Week from"),
        note=_("Clocks of tickets opened that week that have stopped; a blank is none."),
    )


def trend_charts(user: User, now: dt.datetime) -> list[Chart]:
    return [
        tickets_chart(user, now),
        availability_chart(user, now),
        compliance_chart(user, now),
    ]
