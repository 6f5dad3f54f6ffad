"""S3, F2, F4, D3: deadlines from the policy and the calendar; clocks pause and resume."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from baozhang.desk import services, tasks
from baozhang.desk.models import Category, ClockKind, ClockState, Status
from baozhang.desk.selectors import queue

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)


def _clock(ticket, kind):  # type: ignore[no-untyped-def]
    return ticket.clocks.filter(kind=kind).latest("id")


def test_a_complaint_is_due_when_the_calendar_command_says(ticket_factory):
    received = dt.datetime(2026, 9, 30, 16, 0, tzinfo=CST)
    ticket = ticket_factory(kind="complaint", subject="多收费 Overcharged", now=received)

    out = io.StringIO()
    call_command("calendar", "add", "cn-5x8", "2026-09-30T16:00:00+08:00", "10wd", stdout=out)
    expected = dt.datetime.fromisoformat(out.getvalue().split()[0])

    clock = _clock(ticket, ClockKind.RESOLUTION)
    assert clock.due_at == expected == dt.datetime(2026, 10, 20, 18, 0, tzinfo=CST)
    assert clock.calendar_key == "cn-5x8"


def test_the_complaint_limit_its_label_and_calendar_follow_the_settings(settings, ticket_factory):
    # Given a complaint limit of 15 working days counted on the 24x7 calendar
    settings.DESK_COMPLAINT_LIMIT = "15wd"
    settings.DESK_WORKING_DAYS_CALENDAR = "24x7"

    # When a complaint is opened
    ticket = ticket_factory(kind="complaint", subject="多收费 Overcharged")

    # Then its resolution clock says so, in both languages, on that calendar
    clock = _clock(ticket, ClockKind.RESOLUTION)
    assert clock.target == "15wd"
    assert clock.calendar_key == "24x7"
    assert clock.source == (
        "complaints: written answer within 15 working day(s) / 投诉：15 个工作日内书面答复"
    )


def test_the_refund_limit_its_label_and_calendar_follow_the_settings(settings, ticket_factory):
    # Given a refund limit of three business hours on the default working-day calendar
    settings.DESK_REFUND_LIMIT = "PT3H"

    # When a refund is asked for
    ticket = ticket_factory(kind="refund", subject="退费 Refund")

    # Then its resolution clock says the limit as people say it
    clock = _clock(ticket, ClockKind.RESOLUTION)
    assert clock.target == "PT3H"
    assert clock.calendar_key == "cn-5x8"
    assert clock.source == "refund rule: within 3 h (180 min) / 退费时限：3 小时（180 分钟）内"


def test_the_first_reply_of_staff_stops_the_first_response_clock(personas, ticket_factory):
    ticket = ticket_factory(priority="P2")
    clock = _clock(ticket, ClockKind.FIRST_RESPONSE)
    assert clock.due_at == dt.datetime(2026, 10, 12, 10, 30, tzinfo=CST)

    services.reply(
        personas.agent,
        ticket,
        "我们正在处理 We are on it",
        now=dt.datetime(2026, 10, 12, 10, 20, tzinfo=CST),
    )

    clock.refresh_from_db()
    assert clock.state == ClockState.MET
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at == dt.datetime(2026, 10, 12, 10, 20, tzinfo=CST)
    update = _clock(ticket, ClockKind.NEXT_UPDATE)  # F4: a fault is updated regularly
    assert update.due_at == dt.datetime(2026, 10, 12, 12, 20, tzinfo=CST)


def test_waiting_for_the_customer_pauses_and_their_reply_resumes(personas, ticket_factory):
    ticket = ticket_factory(priority="P3")  # resolution 24 h on 24x7
    t0 = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)
    services.change_status(
        personas.agent, ticket, Status.WAITING_CUSTOMER, now=t0 + dt.timedelta(hours=2)
    )
    clock = _clock(ticket, ClockKind.RESOLUTION)
    assert clock.state == ClockState.PAUSED
    assert clock.due_at is None

    services.reply(
        personas.contact_a, ticket, "补充日志 Here are the logs", now=t0 + dt.timedelta(hours=5)
    )

    clock.refresh_from_db()
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert clock.state == ClockState.RUNNING
    assert clock.due_at == t0 + dt.timedelta(hours=24 + 3)  # the 3 h wait added


def test_a_new_priority_recomputes_open_clocks_keeping_their_pauses(personas, ticket_factory):
    ticket = ticket_factory(priority="P3")
    t0 = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)
    services.change_status(personas.agent, ticket, Status.WAITING_CUSTOMER, now=t0)
    services.change_status(personas.agent, ticket, Status.OPEN, now=t0 + dt.timedelta(hours=1))
    services.update_ticket(personas.agent, ticket, priority="P1", now=t0 + dt.timedelta(hours=1))
    clock = _clock(ticket, ClockKind.RESOLUTION)
    assert clock.due_at == t0 + dt.timedelta(hours=4 + 1)


def test_resolving_stops_the_clocks_and_tells_the_customer(personas, ticket_factory):
    from baozhang.notify.models import Channel, Message

    Channel.objects.create(
        organisation=personas.org_a,
        kind="webhook",
        name="A hook",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    ticket = ticket_factory()
    services.change_status(
        personas.agent, ticket, Status.RESOLVED, now=dt.datetime(2026, 10, 12, 11, 0, tzinfo=CST)
    )
    assert not ticket.clocks.filter(stopped_at__isnull=True).exists()
    templates = set(Message.objects.values_list("template_key", flat=True))
    assert {"ticket_received", "ticket_resolved"} <= templates


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
    assert list(queue(personas.agent))[:2] == [sooner, later]
