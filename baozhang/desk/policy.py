"""Which deadlines a ticket has (S3, F2, F4, D2, D3): the one place that decides the target
and the calendar of each clock.

Precedence for a clock: the ticket's active agreement (a response-time target for that
clock with a limit for the ticket's priority), then the ticket's category (resolution only,
D3), then the desk's defaults below. The resolution of a complaint (the written answer,
DESK_COMPLAINT_LIMIT) and of a refund (DESK_REFUND_LIMIT) are rules of their own, counted
on DESK_WORKING_DAYS_CALENDAR: neither an agreement, a category nor a priority changes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from baozhang.core.calendar_iso import parse_duration
from baozhang.core.sla_text import bilingual, limit_text
from baozhang.desk.models import ClockKind, Ticket, TicketKind

DEFAULT_LIMITS: dict[str, dict[str, str]] = {
    ClockKind.FIRST_RESPONSE: {"P1": "PT15M", "P2": "PT30M", "P3": "PT2H", "P4": "PT4H"},
    ClockKind.NEXT_UPDATE: {"P1": "PT1H", "P2": "PT2H", "P3": "PT4H", "P4": "PT8H"},
    ClockKind.RESOLUTION: {"P1": "PT4H", "P2": "PT8H", "P3": "PT24H", "P4": "PT72H"},
}


@dataclass(frozen=True)
class ClockTarget:
    kind: str
    target: str  # ISO 8601 business time or "Nwd"
    calendar_key: str
    source: str  # where the promise comes from, shown to people


def _desk_calendar() -> str:
    return getattr(settings, "DESK_CALENDAR", "24x7")


def _from_agreement(ticket: Ticket, kind: str) -> ClockTarget | None:
    agreement = ticket.agreement
    if agreement is None or not agreement.in_force:
        return None
    for target in agreement.response_time_targets(kind):
        limit = (target.priority_limits or {}).get(ticket.priority)
        if limit:
            return ClockTarget(
                kind, limit, target.calendar_key, f"{agreement.reference}: {target.name}"
            )
    return None


def clock_target(ticket: Ticket, kind: str) -> ClockTarget | None:
    """The target of one clock of `ticket`, or None if the ticket has no such clock
    (only faults promise regular updates, F4)."""
    if kind == ClockKind.NEXT_UPDATE and ticket.kind != TicketKind.FAULT:
        return None
    if kind == ClockKind.RESOLUTION and ticket.kind in {TicketKind.COMPLAINT, TicketKind.REFUND}:
        # The written answer to a complaint (D3) and the refund limit (D2) are rules of
        # their own: an agreement, a category or a priority does not change them.
        calendar_key = settings.DESK_WORKING_DAYS_CALENDAR
        if ticket.kind == TicketKind.COMPLAINT:
            limit = settings.DESK_COMPLAINT_LIMIT
            en, zh = limit_text(parse_duration(limit))
            source = bilingual(f"complaints: written answer within {en}", f"投诉：{zh}内书面答复")
        else:
            limit = settings.DESK_REFUND_LIMIT
            en, zh = limit_text(parse_duration(limit))
            source = bilingual(f"refund rule: within {en}", f"退费时限：{zh}内")
        return ClockTarget(kind, limit, calendar_key, source)
    found = _from_agreement(ticket, kind)
    if found is not None:
        return found
    if kind == ClockKind.RESOLUTION:
        category = ticket.category
        if category is not None and category.resolution_limit:
            return ClockTarget(
                kind,
                category.resolution_limit,
                category.calendar_key or _desk_calendar(),
                f"category {category.name} / 类别",
            )
    limit = DEFAULT_LIMITS[kind][ticket.priority]
    return ClockTarget(kind, limit, _desk_calendar(), "desk standard / 服务时限标准")
