"""The rows of the queue page, ready to print.

A page of the queue shows 50 tickets; with each cell looked up through the template (a
choice's label translated again for every row, the ticket's address reversed, the deadline
formatted by filters in an included template) the rows cost about 0.4 ms each, two thirds
of the page. Here each label is translated once per page, the address pattern is reversed
once, and each deadline is formatted once. The rows are then written out here, every value
escaped, rather than by the template's loop: the
loop's tags and variables for 50 rows were still half of the page's time
(docs/benchmarks.md, "Queue page").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from baozhang.desk.models import Level, Status, Ticket, TicketKind

_SENTINEL = 918273645


@dataclass(frozen=True, slots=True)
class QueueRow:
    pk: int
    url: str
    reference: str
    green_channel: bool
    subject: str
    customer: str
    kind: str
    priority: str
    status: str
    level: str
    assignee: str
    due_iso: str
    due_text: str


def row_html(row: QueueRow, *, staff: bool, green_label: str) -> str:
    """One ``<tr>`` of the queue as the page prints it, every value escaped: staff see the
    checkbox, the customer, the level and the assignee."""
    ref = escape(row.reference)
    green = row.green_channel
    return "".join(
        (
            '<tr class="bz-green">' if green else "<tr>",
            f'<td><input type="checkbox" name="ticket" value="{int(row.pk)}"'
            f' aria-label="{ref}"></td>'
            if staff
            else "",
            f'<td><a href="{escape(row.url)}">{ref}</a>',
            f' <span class="bz-badge bz-active" title="{escape(green_label)}">绿</span>'
            if green
            else "",
            f"</td><td>{escape(row.subject)}</td>",
            f"<td>{escape(row.customer)}</td>" if staff else "",
            f"<td>{escape(row.kind)}</td><td>{escape(row.priority)}</td>",
            f"<td>{escape(row.status)}</td>",
            f"<td>{escape(row.level)}</td><td>{escape(row.assignee or '—')}</td>" if staff else "",
            f'<td><time class="bz-due" data-due="{escape(row.due_iso)}"'
            f' datetime="{escape(row.due_iso)}">{escape(row.due_text)}</time></td></tr>'
            if row.due_iso
            else '<td><span class="bz-muted">—</span></td></tr>',
        )
    )


def rows_html(rows: Iterable[QueueRow], *, staff: bool, green_label: str) -> SafeString:
    """The queue's rows, one after another (each value escaped by row_html)."""
    return mark_safe("\n".join(row_html(r, staff=staff, green_label=green_label) for r in rows))


def slim(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """``tickets`` reading only the columns a row prints (the queue's filters and order
    are kept): the customer's name and the assignee's names, not four related rows."""
    return tickets.select_related(None).select_related("customer", "assignee").only(*_COLUMNS)


_COLUMNS = (
    "id",
    "reference",
    "green_channel",
    "subject",
    "kind",
    "priority",
    "status",
    "level",
    "next_due_at",
    "customer_id",
    "customer__name",
    "assignee_id",
    "assignee__display_name",
    "assignee__first_name",
    "assignee__last_name",
    "assignee__username",
)


def ticket_url(pk: int, pattern: str | None = None) -> str:
    """The address of ticket ``pk``; ``pattern`` (from :func:`url_pattern`) saves a
    reverse per row."""
    pattern = pattern or url_pattern()
    return pattern.replace(str(_SENTINEL), str(int(pk)))


def url_pattern() -> str:
    return reverse("desk:ticket", args=[_SENTINEL])


def _due(due: dt.datetime | None) -> tuple[str, str]:
    if due is None:
        return "", ""
    local = timezone.localtime(due)
    return local.isoformat(), local.strftime("%m-%d %H:%M")


def queue_rows(tickets: Iterable[Ticket]) -> list[QueueRow]:
    """One row per ticket (with customer and assignee selected), labels in the language
    and times in the time zone active now."""
    kinds = {value: str(label) for value, label in TicketKind.choices}
    statuses = {value: str(label) for value, label in Status.choices}
    levels = {value: str(label) for value, label in Level.choices}
    pattern = url_pattern()
    rows = []
    for t in tickets:
        due_iso, due_text = _due(t.next_due_at)
        rows.append(
            QueueRow(
                pk=t.pk,
                url=ticket_url(t.pk, pattern),
                reference=t.reference,
                green_channel=t.green_channel,
                subject=t.subject,
                customer=str(t.customer),
                kind=kinds.get(t.kind, t.kind),
                priority=t.priority,
                status=statuses.get(t.status, t.status),
                level=levels.get(t.level, str(t.level)),
                assignee=str(t.assignee) if t.assignee_id else "",
                due_iso=due_iso,
                due_text=due_text,
            )
        )
    return rows
