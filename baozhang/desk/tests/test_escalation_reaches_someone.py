"""An escalation tells the level's people: on their own channels, else at their account's
e-mail address; one that nothing reaches is shown on the ticket (issue 18 §5)."""

from __future__ import annotations

from django.urls import reverse

from baozhang.desk import services
from baozhang.desk.models import Group, Level
from baozhang.notify.models import Channel, Message, Unreached, UnreachedReason


def _ticket_page(login, person, ticket, language="en"):
    person.language = language
    person.save(update_fields=["language"])
    return login(person).get(reverse("desk:ticket", args=[ticket.pk])).content.decode()


def _operator_mail(personas):
    return Channel.objects.create(
        organisation=personas.operator,
        kind="email",
        name="值班邮箱 duty mailbox",
        config={
            "smtp_host": "127.0.0.1",
            "smtp_port": "25",
            "from_address": "noc@operator.example",
            "to_addresses": "noc@operator.example",
        },
    )


def test_a_member_without_a_channel_is_written_to_at_their_account_address(
    personas, groups, ticket_factory
):
    mail = _operator_mail(personas)
    personas.engineer.email = "engineer@example.com"
    personas.engineer.language = "en"
    personas.engineer.save(update_fields=["email", "language"])
    ticket = services.escalate(personas.agent, ticket_factory(), "客户再次来电 called again")

    message = Message.objects.get(template_key="ticket_escalated")
    assert message.channel == mail
    assert message.recipient == "engineer@example.com"
    assert message.language == "en"
    assert not Unreached.objects.filter(template_key="ticket_escalated").exists()
    assert ticket.level == Level.TECHNICAL


def test_a_member_nothing_can_reach_is_shown_on_the_ticket(personas, groups, ticket_factory, login):
    # The engineer has no personal channel and no e-mail address.
    ticket = services.escalate(personas.agent, ticket_factory(), "客户再次来电 called again")

    assert not Message.objects.filter(template_key="ticket_escalated").exists()
    row = Unreached.objects.get(template_key="ticket_escalated")
    assert (row.user, row.reason) == (personas.engineer, UnreachedReason.NO_ADDRESS)
    text = _ticket_page(login, personas.agent, ticket, "en")
    assert 'data-testid="not-notified"' in text
    assert f"{personas.engineer} has no personal channel and no e-mail address" in text
    # The customer's people do not see the operator's staffing troubles.
    page = login(personas.contact_a).get(reverse("desk:ticket", args=[ticket.pk]))
    assert 'data-testid="not-notified"' not in page.content.decode()


def test_an_address_without_an_operator_mail_channel_is_said_too(
    personas, groups, ticket_factory, login
):
    personas.engineer.email = "engineer@example.com"
    personas.engineer.save(update_fields=["email"])
    ticket = services.escalate(personas.agent, ticket_factory(), "called again")

    row = Unreached.objects.get(template_key="ticket_escalated")
    assert row.reason == UnreachedReason.NO_SENDER
    page = _ticket_page(login, personas.agent, ticket, "zh-hans")
    assert "engineer@example.com" in page


def test_a_level_with_nobody_in_its_group_is_shown_on_the_ticket(
    personas, groups, ticket_factory, login
):
    groups[Level.TECHNICAL].members.clear()
    ticket = services.escalate(personas.agent, ticket_factory(), "called again")

    row = Unreached.objects.get(template_key="ticket_escalated")
    assert (row.reason, row.label) == (UnreachedReason.NO_ONE, "L2")
    assert (row.object_type, row.object_id) == ("desk.ticket", str(ticket.pk))
    page = _ticket_page(login, personas.agent, ticket, "en")
    assert "No one is in the group L2; nobody was notified." in page


def test_a_level_without_a_group_is_shown_on_the_ticket(personas, ticket_factory, login):
    Group.objects.create(name="L1", level=Level.CUSTOMER_SERVICE).members.add(personas.agent)
    ticket = services.escalate(personas.agent, ticket_factory(), "called again")

    assert Unreached.objects.get(template_key="ticket_escalated").reason == UnreachedReason.NO_ONE
    page = _ticket_page(login, personas.agent, ticket, "en")
    assert "No group takes tickets at the level it went to" in page
