"""Who reads which events: roles are accounts' to know; the event log asks the readers
accounts sets in its ready() (events/selectors.py)."""

from __future__ import annotations

import pytest

from baozhang.accounts.models import Role
from baozhang.events import selectors
from baozhang.events.models import EventKind
from baozhang.events.services import record


@pytest.fixture
def three_events(personas):  # type: ignore[no-untyped-def]
    return {
        "sign-in": record(EventKind.SIGNED_IN, personas.agent, actor=personas.agent),
        "org a": record(EventKind.UPDATED, personas.org_a, after={"name": "a"}),
        "org b": record(EventKind.UPDATED, personas.org_b, after={"name": "b"}),
    }


def _seen(user, events) -> set[str]:  # type: ignore[no-untyped-def]
    ids = set(selectors.visible_events(user).values_list("pk", flat=True))
    return {name for name, event in events.items() if event.pk in ids}


def test_auditors_staff_and_customers_read_what_their_roles_allow(
    personas, user_factory, three_events
):
    # Given an auditor (quality inspector), an agent and a customer's contact
    auditor = user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")

    # When each reads the event log  # Then security events are for the auditor only, and
    # a customer's people read their own organisation's
    assert _seen(auditor, three_events) == {"sign-in", "org a", "org b"}
    assert _seen(personas.agent, three_events) == {"org a", "org b"}
    assert _seen(personas.contact_a, three_events) == {"org a"}


def test_until_told_who_reads_what_nobody_reads_anything(personas, three_events, monkeypatch):
    # Given the event log not told by accounts who reads which events
    monkeypatch.setattr(
        selectors,
        "_readers",
        selectors.Readers(read_audit=lambda user: False, operator_staff=lambda user: False),
    )
    # When staff read it  # Then they see only what a customer would of their own (nothing)
    assert _seen(personas.agent, three_events) == set()
