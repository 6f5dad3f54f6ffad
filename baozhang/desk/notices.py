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
        about=ticket,
    )


def notify_people(people: Any, ticket: Ticket, template: str, key: str, **context: Any) -> None:
    """Tell each of ``people`` about the ticket (``template``), once per ``key`` and person:
    on their personal channels, else at their account's e-mail address; one that nothing
    can reach is written down (notify's Unreached) and shown on the ticket and the
    dashboard."""
    for person in people:
        notify.notify_user(
            person,
            template,
            {"ticket": ticket, "reference": ticket.reference, "subject": ticket.subject, **context},
            f"desk:{ticket.pk}:{key}:u{person.pk}",
            about=ticket,
        )


def nobody_at_level(ticket: Ticket, template: str, key: str, whom: str) -> None:
    """The ticket went to a level with no one in its group: nobody was told; say so on
    the ticket and the dashboard."""
    notify.nobody_to_tell(template, f"desk:{ticket.pk}:{key}", whom, about=ticket)
