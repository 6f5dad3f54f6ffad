"""The incidents' share of a ticket's page (registered in IncidentsConfig.ready, see
desk/ticket_page.py): the form that opens an incident from the ticket."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest

from baozhang.accounts.permissions import Capability, can
from baozhang.desk.models import Ticket, TicketMessage
from baozhang.incidents.forms import FromTicketForm


def incident_form(
    request: HttpRequest, ticket: Ticket, thread: Sequence[TicketMessage], staff: bool
) -> dict[str, Any]:
    """The "open an incident from this ticket" form, for those who work incidents."""
    allowed = can(request.user, Capability.WORK_INCIDENTS)
    return {"incident_form": FromTicketForm() if allowed else None}
