"""What the areas above the desk add to a ticket's page, without the desk importing them.

An area that has something to show on a ticket (the incidents: the form that opens an
incident from it; inbound mail: which mails were read with another charset than declared)
registers a contribution in its AppConfig.ready(). The ticket view calls them in the order
they registered; each returns the template variables it adds and may annotate the thread's
messages. The desk's page works the same with none registered (docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.http import HttpRequest

from baozhang.desk.models import Ticket, TicketMessage

Contribution = Callable[[HttpRequest, Ticket, Sequence[TicketMessage], bool], dict[str, Any]]

_contributions: list[Contribution] = []


def contribute(contribution: Contribution) -> None:
    """Add ``contribution(request, ticket, thread, staff) -> template variables`` to every
    ticket page (once, however often it is registered)."""
    if contribution not in _contributions:
        _contributions.append(contribution)


def contributions(
    request: HttpRequest, ticket: Ticket, thread: Sequence[TicketMessage], *, staff: bool
) -> dict[str, Any]:
    """The template variables the registered areas add to this ticket's page."""
    extra: dict[str, Any] = {}
    for contribution in _contributions:
        extra.update(contribution(request, ticket, thread, staff))
    return extra
