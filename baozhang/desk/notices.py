"""What the desk tells a ticket's customer and its people (through notify): one place for
the ticket services, the callbacks and the deadline tasks."""

from __future__ import annotations

from typing import Any

from baozhang.desk.models import Ticket
from baozhang.notify import services as notify


def notify_customer(ticket: Ticket, template: str, key: str, **context: Any) -> None:
    """Tell the ticket's customer organisation (``template``), once per ``key``."""
    notify.notify_organisation(
        ticket.customer,
        template,
        {"ticket": ticket, "reference": ticket.reference, "subject": ticket.subject, **context},
        f"desk:{ticket.pk}:{key}",
    )


def notify_people(people: Any, ticket: Ticket, template: str, key: str, **context: Any) -> None:
    """Tell each of ``people`` about the ticket (``template``), once per ``key`` and person."""
    for person in people:
        notify.notify_user(
            person,
            template,
            {"ticket": ticket, "reference": ticket.reference, "subject": ticket.subject, **context},
            f"desk:{ticket.pk}:{key}:u{person.pk}",
        )
