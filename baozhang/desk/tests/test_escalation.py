"""D5: a breach escalates to the next level and notifies it; the timeline shows each step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baozhang.desk import services, tasks
from baozhang.desk.models import Level, Status
from baozhang.events.selectors import timeline
from baozhang.events.tests.reading import reads
from baozhang.notify.models import Channel, Message

CST = dt.timezone(dt.timedelta(hours=8))
T0 = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)


def test_a_breach_escalates_notifies_the_next_level_and_is_in_the_timeline(
    personas, groups, ticket_factory
):
    Channel.objects.create(
        user=personas.engineer,
        kind="webhook",
        name="engineer's phone",
        config={"webhook_url": "http://127.0.0.1:9/hook"},
    )
    ticket = ticket_factory(priority="P1")  # first response within 15 minutes
    opened = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)

    assert tasks.check_clocks(opened + dt.timedelta(minutes=12)) == (1, 0)  # 75 %: warning
    assert tasks.check_clocks(opened + dt.timedelta(minutes=16)) == (0, 1)  # breach
    assert tasks.check_clocks(opened + dt.timedelta(minutes=17)) == (0, 0)  # once only

    ticket.refresh_from_db()
    assert ticket.level == Level.TECHNICAL
    assert ticket.group == groups[Level.TECHNICAL]
    escalated = Message.objects.get(template_key="ticket_escalated")
    assert escalated.channel.user == personas.engineer
    summaries = [e.summary for e in timeline(personas.director, ticket)]
    assert any("SLA warning" in s for s in summaries)
    assert any("SLA breached" in s for s in summaries)
    automatic = [e for e in timeline(personas.director, ticket) if e.summary_id.startswith("auto")]
    zh, en = reads(automatic[0])
    assert zh.startswith("自动：") and zh.endswith("超出时限")
    assert en.startswith("automatically: ") and en.endswith(" breached")


def test_escalation_by_hand_needs_a_reason_and_stops_at_the_director(
    personas, groups, ticket_factory
):
    ticket = ticket_factory()
    with pytest.raises(ValidationError):
        services.escalate(personas.agent, ticket, "  ")
    for _ in range(3):
        ticket = services.escalate(personas.agent, ticket, "客户再次来电 called again")
    assert ticket.level == Level.SERVICE_DIRECTOR
    with pytest.raises(ValidationError):
        services.escalate(personas.agent, ticket, "once more")


def test_a_customer_cannot_escalate_or_touch_another_customers_ticket(personas, ticket_factory):
    ticket = ticket_factory()
    with pytest.raises(PermissionDenied):
        services.escalate(personas.contact_a, ticket, "please")
    with pytest.raises(PermissionDenied):
        services.reply(personas.contact_b, ticket, "hello from B")


def test_the_green_channel_goes_to_its_group(personas, ticket_factory):
    from baozhang.desk.models import Group

    green = Group.objects.create(name="绿色通道 Green channel", is_green_channel=True)
    personas.org_a.green_channel = True
    personas.org_a.save()
    ticket = ticket_factory()
    assert ticket.green_channel
    assert ticket.group == green


def test_rules_escalate_a_new_ticket_at_once(personas, groups, ticket_factory):
    from baozhang.desk.models import EscalationRule

    EscalationRule.objects.create(
        name="P1 故障直达技术部", kind="priority", priority="P1", to_level=Level.TECHNICAL
    )
    EscalationRule.objects.create(
        name="反复来电", kind="repeated", times=3, within_days=7, to_level=Level.COMPLAINT_ADMIN
    )

    urgent = ticket_factory(priority="P1")
    assert urgent.level == Level.TECHNICAL
    assert urgent.group == groups[Level.TECHNICAL]

    second = ticket_factory(priority="P3")
    assert second.level == Level.CUSTOMER_SERVICE
    third = ticket_factory(priority="P3")  # the contact's third ticket this week
    assert third.level == Level.COMPLAINT_ADMIN
    summaries = [e.summary for e in timeline(personas.director, third)]
    assert any("反复来电" in s for s in summaries)
    said = [reads(e) for e in timeline(personas.director, third) if e.summary_id]
    assert ("渠道：客户门户", "via Customer portal") in said
    assert ("自动：规则 反复来电", "automatically: rule 反复来电") in said


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
