"""Escalation by rule (D5): which level a new ticket goes to at once. One place decides."""

from __future__ import annotations

import datetime as dt

from baozhang.desk.models import EscalationRule, Level, RuleKind, Ticket

_PRIORITY_RANK = {"P1": 1, "P2": 2, "P3": 3, "P4": 4}


def matching_rule(ticket: Ticket, now: dt.datetime) -> EscalationRule | None:
    """The enabled rule that sends `ticket` highest, or None if none applies."""
    best: EscalationRule | None = None
    for rule in EscalationRule.objects.filter(enabled=True, to_level__gt=ticket.level):
        if _matches(rule, ticket, now) and (best is None or rule.to_level > best.to_level):
            best = rule
    return best


def _matches(rule: EscalationRule, ticket: Ticket, now: dt.datetime) -> bool:
    if rule.kind == RuleKind.PRIORITY:
        return bool(rule.priority) and (
            _PRIORITY_RANK[ticket.priority] <= _PRIORITY_RANK[rule.priority]
        )
    if rule.kind == RuleKind.CUSTOMER:
        return rule.customer_id == ticket.customer_id
    if rule.kind == RuleKind.KIND:
        return rule.ticket_kind == ticket.kind
    if rule.kind == RuleKind.REPEATED_CONTACT:
        since = now - dt.timedelta(days=rule.within_days)
        same = Ticket.objects.filter(customer_id=ticket.customer_id, created_at__gte=since)
        if ticket.contact_id:
            same = same.filter(contact_id=ticket.contact_id)
        return same.count() >= rule.times
    return False


__all__ = ["Level", "matching_rule"]
