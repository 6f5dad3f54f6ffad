"""Pinned after review: clocks while waiting, reopen paths, breaches once, bulk assignment,
what customers may set and see, who may work tickets, the complaint rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from baozhang.desk import services, tasks
from baozhang.desk.models import Category, ClockKind, Level, Status
from baozhang.events.selectors import timeline

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)


def test_a_reply_while_waiting_starts_the_next_update_clock_paused(personas, ticket_factory):
    ticket = ticket_factory(priority="P3")
    services.change_status(personas.agent, ticket, Status.WAITING_CUSTOMER, now=T0)
    services.reply(
        personas.agent, ticket, "请发日志 please send logs", now=T0 + dt.timedelta(minutes=5)
    )
    update = ticket.clocks.get(kind=ClockKind.NEXT_UPDATE, stopped_at__isnull=True)
    assert update.state == "paused"
    assert tasks.check_clocks(T0 + dt.timedelta(hours=6)) == (0, 0)


def test_leaving_resolved_for_waiting_is_a_reopening(personas, ticket_factory):
    ticket = ticket_factory()
    services.change_status(personas.agent, ticket, Status.RESOLVED, now=T0)
    services.change_status(
        personas.agent, ticket, Status.WAITING_CUSTOMER, now=T0 + dt.timedelta(hours=1)
    )
    ticket.refresh_from_db()
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None
    assert ticket.clocks.filter(kind="resolution", stopped_at__isnull=True).exists()
    assert list(ticket.callbacks.values_list("status", flat=True)) == ["cancelled"]


def test_a_late_answer_before_the_sweep_is_still_a_breach_escalated_once(
    personas, groups, ticket_factory
):
    ticket = ticket_factory(priority="P1")  # first response 15 min, resolution 4 h
    services.reply(personas.agent, ticket, "late", now=T0 + dt.timedelta(minutes=20))
    _warnings, breaches = tasks.check_clocks(T0 + dt.timedelta(hours=5))
    assert breaches == 3  # the late first response, resolution and next update
    ticket.refresh_from_db()
    assert ticket.level == Level.TECHNICAL  # one level per sweep
    assert tasks.check_clocks(T0 + dt.timedelta(hours=6)) == (0, 0)


def test_bulk_assignment_assigns_the_chosen_tickets(personas, login, ticket_factory):
    one, two = ticket_factory(), ticket_factory()
    client = login(personas.agent)
    response = client.post(
        "/desk/assign/", {"ticket": [one.pk, two.pk], "assignee": personas.engineer.pk}
    )
    assert response.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.assignee == two.assignee == personas.engineer


def test_a_customer_cannot_choose_priority_or_channel(personas, api_client):
    ticket = (
        api_client(personas.contact_a)
        .post(
            "/api/v1/tickets",
            {"kind": "fault", "subject": "x", "priority": "P1", "channel": "hotline"},
            content_type="application/json",
        )
        .json()
    )
    assert ticket["priority"] == "P3"
    assert ticket["channel"] == "portal"


def test_customers_see_that_a_ticket_was_escalated_but_not_why(personas, groups, ticket_factory):
    ticket = ticket_factory()
    services.escalate(personas.agent, ticket, "客户态度差 customer is rude")
    customer_view = [e.summary for e in timeline(personas.contact_a, ticket)]
    staff_view = [e.summary for e in timeline(personas.agent, ticket)]
    assert not any("rude" in s for s in customer_view)
    assert any("escalated" in s for s in customer_view)
    assert any("rude" in s for s in staff_view)


def test_only_people_who_work_tickets_change_them(personas, user_factory, ticket_factory):
    inspector = user_factory(personas.operator, ["quality_inspector"], username="inspector")
    ticket = ticket_factory()
    with pytest.raises(PermissionDenied):
        services.change_status(inspector, ticket, Status.RESOLVED)
    with pytest.raises(PermissionDenied):
        services.escalate(inspector, ticket, "why not")


def test_a_complaint_keeps_its_10_working_days_whatever_its_category(personas, ticket_factory):
    fast = Category.objects.create(name="网络 network", resolution_limit="PT4H")
    complaint = ticket_factory(
        kind="complaint", category=fast, now=dt.datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    )
    clock = complaint.clocks.get(kind="resolution")
    assert clock.due_at == dt.datetime(2026, 10, 20, 18, 0, tzinfo=CST)


def test_the_queue_sorts_on_the_stored_next_deadline(personas, ticket_factory):
    later = ticket_factory(priority="P4")
    sooner = ticket_factory(priority="P1")
    later.refresh_from_db()
    sooner.refresh_from_db()
    assert sooner.next_due_at < later.next_due_at
    from baozhang.desk.selectors import queue

    assert list(queue(personas.agent))[:2] == [sooner, later]
