"""A customer's person who sends fields only the operator sets (a priority, the green
channel, an assignee …) is told which, with a 422 in the API and an error on the portal
form; nothing is opened or changed. Staff set them as before."""

from __future__ import annotations

from baozhang.desk.models import Ticket


def test_a_customer_opening_a_ticket_with_a_priority_and_the_green_channel_gets_a_422(
    personas, api_client
):
    contact = api_client(personas.contact_a)
    answer = contact.post(
        "/api/v1/tickets",
        {"kind": "fault", "subject": "断网 Link down", "priority": "P1", "green_channel": True},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422, answer.content
    fields = answer.json()["error"]["fields"]
    assert set(fields) == {"priority", "green_channel", "__all__"}
    assert "operator's staff" in fields["priority"][0]
    assert "priority, green_channel" in fields["__all__"][0]
    assert not Ticket.objects.exists()


def test_the_refusal_reads_in_chinese_for_a_chinese_reader(personas, api_client):
    answer = api_client(personas.contact_a).post(
        "/api/v1/tickets",
        {"kind": "fault", "subject": "断网", "priority": "P2"},
        content_type="application/json",
        headers={"Accept-Language": "zh-hans"},
    )
    assert answer.status_code == 422, answer.content
    assert "运营方" in answer.json()["error"]["fields"]["priority"][0]


def test_a_customer_opening_a_ticket_with_only_their_fields_is_served(personas, api_client):
    answer = api_client(personas.contact_a).post(
        "/api/v1/tickets",
        {"kind": "fault", "subject": "断网 Link down", "description": "since 9:00"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["priority"] == "P3"
    assert answer.json()["green_channel"] is False


def test_staff_still_set_the_priority_and_the_green_channel(personas, api_client):
    answer = api_client(personas.agent).post(
        "/api/v1/tickets",
        {
            "kind": "fault",
            "subject": "断网",
            "customer_id": personas.org_a.pk,
            "priority": "P1",
            "green_channel": True,
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["priority"], answer.json()["green_channel"]) == ("P1", True)


def test_a_customer_changing_their_tickets_priority_or_assignee_gets_a_422(
    personas, api_client, ticket_factory
):
    ticket = ticket_factory()
    answer = api_client(personas.contact_a).patch(
        f"/api/v1/tickets/{ticket.pk}",
        {"priority": "P1", "assignee_id": personas.agent.pk, "subject": "更急 Urgent"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422, answer.content
    fields = answer.json()["error"]["fields"]
    assert {"priority", "assignee_id", "subject"} <= set(fields)
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee_id) == ("P3", None)


def test_another_customers_ticket_stays_a_404_whatever_the_fields(
    personas, api_client, ticket_factory
):
    ticket = ticket_factory()
    answer = api_client(personas.contact_b).patch(
        f"/api/v1/tickets/{ticket.pk}", {"priority": "P1"}, content_type="application/json"
    )
    assert answer.status_code == 404


def test_the_portal_form_says_which_fields_are_the_operators(personas, login):
    client = login(personas.contact_b)  # an English reader
    page = client.post(
        "/desk/new/",
        {"kind": "fault", "subject": "Down", "priority": "P1", "green_channel": "on"},
    )
    assert page.status_code == 200
    text = page.content.decode()
    assert "These fields are the operator&#x27;s: priority, green_channel" in text
    assert not Ticket.objects.exists()
    # Without them the same form opens the ticket.
    opened = client.post("/desk/new/", {"kind": "fault", "subject": "Down"})
    assert opened.status_code == 302
    assert Ticket.objects.get().priority == "P3"


def test_a_customer_claiming_the_hotline_as_their_channel_is_told_who_logs_calls(
    personas, api_client, login
):
    answer = api_client(personas.contact_a).post(
        "/api/v1/tickets",
        {"kind": "fault", "subject": "断网", "channel": "hotline"},
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )
    assert answer.status_code == 422, answer.content
    assert "logged by the operator's staff" in answer.json()["error"]["fields"]["channel"][0]
    page = login(personas.contact_b).post(
        "/desk/new/", {"kind": "fault", "subject": "Down", "channel": "fax"}
    )
    assert page.status_code == 200
    assert "the channel fax is logged by the operator" in page.content.decode()
    assert not Ticket.objects.exists()
