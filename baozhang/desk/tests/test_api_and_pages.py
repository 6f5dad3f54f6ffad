"""The desk through the API and the pages: same services, isolation, JSON errors."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile


def test_a_customer_opens_follows_and_rates_a_ticket_by_api(personas, api_client):
    contact = api_client(personas.contact_a)
    created = contact.post(
        "/api/v1/tickets",
        {
            "kind": "fault",
            "subject": "邮件发不出去 Mail stuck",
            "description": "since 9:00",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert ticket["reference"].startswith("BZ-")
    assert ticket["customer_id"] == personas.org_a.pk
    assert {c["kind"] for c in ticket["clocks"]} == {"first_response", "resolution"}

    agent = api_client(personas.agent)
    url = f"/api/v1/tickets/{ticket['id']}"
    assert (
        agent.post(
            f"{url}/replies", {"body": "已恢复 fixed"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert (
        agent.post(
            f"{url}/replies",
            {"body": "root cause: disk full", "internal": True},
            content_type="application/json",
        ).status_code
        == 201
    )
    assert (
        agent.post(f"{url}/status", {"status": "resolved"}, content_type="application/json").json()[
            "status"
        ]
        == "resolved"
    )

    replies = contact.get(f"{url}/replies").json()["items"]
    assert [r["body"] for r in replies] == ["since 9:00", "已恢复 fixed"]  # no internal note
    rated = contact.post(f"{url}/rating", {"rating": 5}, content_type="application/json")
    assert rated.json()["rating"] == 5
    kinds = [e["kind"] for e in contact.get(f"{url}/events").json()["items"]]
    assert "state_changed" in kinds


def test_attachments_and_bad_input(personas, api_client):
    agent = api_client(personas.agent)
    missing_customer = agent.post(
        "/api/v1/tickets", {"kind": "fault", "subject": "x"}, content_type="application/json"
    )
    assert missing_customer.status_code == 422
    assert "customer_id" in missing_customer.json()["error"]["fields"]
    bad_kind = agent.post(
        "/api/v1/tickets",
        {"kind": "rant", "subject": "x", "customer_id": personas.org_a.pk},
        content_type="application/json",
    )
    assert "kind" in bad_kind.json()["error"]["fields"]

    ticket = agent.post(
        "/api/v1/tickets",
        {"kind": "request", "subject": "扩容 More disk", "customer_id": personas.org_a.pk},
        content_type="application/json",
    ).json()
    upload = agent.post(
        f"/api/v1/tickets/{ticket['id']}/attachments",
        {"file": SimpleUploadedFile("日志.txt", b"error 42", "text/plain")},
    )
    assert upload.status_code == 201, upload.content
    assert upload.json()["attachments"][0]["filename"] == "日志.txt"


def test_the_queue_puts_the_green_channel_first(personas, api_client, ticket_factory):
    plain = ticket_factory(subject="普通 plain")
    green = ticket_factory(subject="紧急 green", green_channel=True)
    items = api_client(personas.agent).get("/api/v1/tickets").json()["items"]
    assert [t["id"] for t in items][:2] == [green.pk, plain.pk]


def test_an_agent_logs_a_hotline_call_from_the_quick_form(personas, login):
    client = login(personas.agent)
    response = client.post(
        "/desk/new/",
        {
            "customer": personas.org_a.pk,
            "kind": "fault",
            "channel": "hotline",
            "requester": "张先生 138 0000 0000",
            "priority": "P1",
            "subject": "专线中断 Line down",
        },
    )
    assert response.status_code == 302
    from baozhang.desk.models import Ticket

    ticket = Ticket.objects.get(subject="专线中断 Line down")
    assert ticket.channel == "hotline"
    assert ticket.requester.startswith("张先生")
    page = client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert "专线中断" in page and "bz-due" in page


def test_a_contact_cannot_see_internal_notes_in_the_portal(personas, login, ticket_factory):
    from baozhang.desk import services

    ticket = ticket_factory()
    services.reply(personas.agent, ticket, "内部备注 secret note", internal=True)
    page = login(personas.contact_a).get(f"/desk/tickets/{ticket.pk}/").content.decode()
    assert "secret note" not in page


def test_an_agent_filters_the_queue_and_saves_the_view(personas, login, ticket_factory):
    ticket_factory(subject="投诉一 complaint", kind="complaint")
    ticket_factory(subject="故障一 fault", kind="fault")
    client = login(personas.agent)

    page = client.get("/desk/?view=open&kind=complaint").content.decode()
    assert "投诉一" in page and "故障一" not in page

    client.post(
        "/desk/views/save/", {"name": "投诉 complaints", "query": "view=open&kind=complaint"}
    )
    page = client.get("/desk/").content.decode()
    assert 'href="?view=open&amp;kind=complaint"' in page
    assert "投诉 complaints" in page


def test_a_fault_ticket_opens_an_incident_from_its_page(personas, login, ticket_factory):
    from baozhang.incidents.models import Incident

    ticket = ticket_factory(subject="机房断电 Power cut", kind="fault")
    assert "open-incident" not in (
        login(personas.contact_a).get(f"/desk/tickets/{ticket.pk}/").content.decode()
    )
    client = login(personas.engineer)
    assert "open-incident" in client.get(f"/desk/tickets/{ticket.pk}/").content.decode()
    response = client.post(f"/incidents/from-ticket/{ticket.pk}/", {"severity": "major"})
    incident = Incident.objects.get(tickets=ticket)
    assert response.status_code == 302 and incident.severity == "major"
    assert incident.reference in client.get(f"/desk/tickets/{ticket.pk}/").content.decode()


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
    client = api_client(personas.contact_a)
    # The priority is the operator's: refused by name (test_customer_sends_operator_fields).
    refused = client.post(
        "/api/v1/tickets",
        {"kind": "fault", "subject": "x", "priority": "P1", "channel": "hotline"},
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"priority", "channel", "__all__"}
    # Without them: the default priority, and the channel the customer used.
    ticket = client.post(
        "/api/v1/tickets",
        {"kind": "fault", "subject": "x", "channel": "email"},
        content_type="application/json",
    ).json()
    assert ticket["priority"] == "P3"
    assert ticket["channel"] == "email"


def test_the_queue_pages_keep_the_view_and_filters_and_never_count_every_ticket(
    personas, login, ticket_factory
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(55):
        ticket_factory(subject=f"投诉 {i} complaint", kind="complaint")
    client = login(personas.agent)
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/desk/?view=unassigned&kind=complaint").content.decode()
    # The pager's next link keeps the view and the filter, only the page changes
    assert 'href="?view=unassigned&amp;kind=complaint&amp;page=2"' in page
    assert "第 1 页，共 2 页" in page or "Page 1 of 2" in page
    # and the tickets were counted within a window, not all of them
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts if "desk_ticket" in sql)
    second = client.get("/desk/?view=unassigned&kind=complaint&page=2").content.decode()
    assert 'href="?view=unassigned&amp;kind=complaint&amp;page=1"' in second
