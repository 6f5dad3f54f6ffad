"""What a customer's people may set on a ticket, and the clear refusal of the rest.

A customer's person opens a ticket with its kind, subject, description (and, through the API,
their own organisation and the channel they used). How the operator handles it — the
priority, the green channel (D6), who works on it, at which level and in which group or
category — is the operator's decision. Whoever sends one of those fields is told which
fields are the operator's (a 422 in the API, an error on the portal form), never silently
ignored; so is a channel they cannot have used (the hotline: the operator logs calls).
Once a ticket is open, every change of it but a reply, a rating or an attachment
is the staff's: a customer who sends one (``PATCH /api/v1/tickets/{id}``) is told the same.
The API and the portal both call :func:`refuse_operator_fields`: one rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from baozhang.accounts.permissions import is_operator_staff
from baozhang.desk.models import Channel

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User

#: The fields of a ticket only the operator's staff set, by the names the API and the
#: forms use, with what a person reads.
OPERATOR_FIELDS: dict[str, Promise] = {
    "priority": _("priority"),
    "green_channel": _("green channel"),
    "assignee": _("assignee"),
    "assignee_id": _("assignee"),
    "group": _("group"),
    "group_id": _("group"),
    "category": _("category"),
    "category_id": _("category"),
    "level": _("level"),
    "status": _("status"),
    "agreement": _("agreement"),
    "agreement_id": _("agreement"),
}

#: The channels a customer's person reaches the operator through themselves; the others
#: (the hotline, the 800 number, a fax, an agent's entry) are logged by the operator's staff.
CUSTOMER_CHANNELS = frozenset({Channel.PORTAL, Channel.API, Channel.EMAIL, Channel.SMS})

#: Set by the customer when opening a ticket; changed afterwards by the staff only.
SET_WHEN_OPENING: dict[str, Promise] = {
    "kind": _("kind"),
    "subject": _("subject"),
}


def operator_fields_in(sent: Iterable[str], *, opening: bool) -> list[str]:
    """The names among ``sent`` that only the operator's staff set, in the order sent:
    :data:`OPERATOR_FIELDS`, and once the ticket is open (``opening`` false) also
    :data:`SET_WHEN_OPENING`."""
    theirs = OPERATOR_FIELDS if opening else {**OPERATOR_FIELDS, **SET_WHEN_OPENING}
    return [name for name in dict.fromkeys(sent) if name in theirs]


def refuse_operator_fields(
    actor: User | AnonymousUser | None, sent: Mapping[str, Any], *, opening: bool
) -> None:
    """Raise a ValidationError naming each field of ``sent`` (name → value, as sent) that a
    customer's person may not set (see :func:`operator_fields_in`), and a channel they
    cannot have used (outside :data:`CUSTOMER_CHANNELS`): one message per field and one for
    the whole. Nothing for the operator's staff, the system (``actor`` None) or a clean
    request."""
    if actor is None or is_operator_staff(actor):
        return
    names = operator_fields_in(sent, opening=opening)
    channel = sent.get("channel") if opening else None
    bad_channel = bool(channel) and channel not in CUSTOMER_CHANNELS
    if not names and not bad_channel:
        return
    labels = {**OPERATOR_FIELDS, **SET_WHEN_OPENING}
    errors: dict[str, list[str]] = {
        name: [
            gettext("The %(field)s is set by the operator's staff, not by the customer.")
            % {"field": labels[name]}
        ]
        for name in names
    }
    whole = []
    if names:
        whole.append(
            gettext(
                "These fields are the operator's: %(fields)s. Leave them out; to ask for a "
                "change (a higher priority, say), write it in the ticket."
            )
            % {"fields": ", ".join(names)}
        )
    if bad_channel:
        said = gettext(
            "A customer opens a ticket through the portal, the API, e-mail or SMS; the "
            "channel %(value)s is logged by the operator's staff."
        ) % {"value": channel}
        errors["channel"] = [said]
        whole.append(said)
    errors[NON_FIELD_ERRORS] = [" ".join(whole)]
    raise ValidationError(errors)
