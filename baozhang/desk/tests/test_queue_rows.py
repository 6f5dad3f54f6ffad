"""The queue's rows are printed from plain values computed once per page (desk/queue_rows.py):
what they show must be what the ticket says, in the reader's language and time zone."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from baozhang.desk import services
from baozhang.desk.models import Ticket
from baozhang.desk.queue_rows import queue_rows, slim, ticket_url


def test_a_ticket_address_is_the_one_django_reverses(db):
    for pk in (1, 7, 918273645, 10**9 + 3):
        assert ticket_url(pk) == reverse("desk:ticket", args=[pk])


def test_a_row_says_what_its_ticket_says_in_the_reader_language_and_zone(personas, ticket_factory):
    ticket = ticket_factory(kind="complaint", priority="P2")
    services.update_ticket(personas.agent, ticket, assignee=personas.agent)
    services.change_status(personas.agent, ticket, "open")
    ticket.refresh_from_db()
    readers = (("en", "Complaint", "In progress"), ("zh-hans", "投诉", "处理中"))
    for language, kind, status in readers:
        with translation.override(language), timezone.override("Asia/Shanghai"):
            (row,) = queue_rows(slim(Ticket.objects.filter(pk=ticket.pk)))
            assert row.kind == kind == ticket.get_kind_display()
            assert row.status == status == ticket.get_status_display()
            assert row.level == ticket.get_level_display()
            assert row.customer == str(ticket.customer)
            assert row.assignee == str(personas.agent)
            assert row.priority == "P2"
            local = timezone.localtime(ticket.next_due_at)
            assert row.due_iso == local.isoformat() and row.due_iso.endswith("+08:00")
            assert row.due_text == local.strftime("%m-%d %H:%M")
            assert row.url == f"/desk/tickets/{ticket.pk}/"


def test_an_unassigned_ticket_without_a_deadline_shows_dashes(personas, ticket_factory, login):
    ticket = ticket_factory()
    Ticket.objects.filter(pk=ticket.pk).update(next_due_at=None)
    (row,) = queue_rows(slim(Ticket.objects.filter(pk=ticket.pk)))
    assert (row.assignee, row.due_iso, row.due_text) == ("", "", "")
    page = login(personas.agent).get("/desk/?view=all").content.decode()
    cells = re.search(rf'value="{ticket.pk}".*?</tr>', page, re.S)
    assert cells and cells.group(0).count("—") == 2


def test_the_queue_page_reads_the_same_statements_for_5_or_50_rows(personas, ticket_factory, login):
    client = login(personas.agent)

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/desk/").status_code == 200
        return len(queries.captured_queries)

    for i in range(5):
        ticket_factory(subject=f"few {i}")
    few = statements()
    for i in range(45):
        ticket_factory(subject=f"many {i}")
    many = statements()
    assert few == many
    page = client.get("/desk/").content.decode()
    assert page.count('name="ticket" value=') == 50


def test_a_row_escapes_every_value_and_shows_staff_their_columns(personas, ticket_factory, login):
    from baozhang.desk.queue_rows import row_html

    ticket = ticket_factory(subject='<script>alert("x")</script> & 断网')
    Ticket.objects.filter(pk=ticket.pk).update(green_channel=True)
    (row,) = queue_rows(slim(Ticket.objects.filter(pk=ticket.pk)))
    staff = row_html(row, staff=True, green_label='绿色通道 "green"')
    customer = row_html(row, staff=False, green_label="绿色通道")
    # Every value is escaped: the subject, the label in an attribute
    assert "<script>" not in staff and "&lt;script&gt;alert(&quot;x&quot;)" in staff
    assert "&amp; 断网" in staff
    assert 'title="绿色通道 &quot;green&quot;"' in staff
    assert staff.startswith('<tr class="bz-green">')
    # Staff see the checkbox, the customer, the level and the assignee; a customer does not
    assert f'name="ticket" value="{ticket.pk}"' in staff and 'name="ticket"' not in customer
    assert staff.count("<td>") == customer.count("<td>") + 4
    assert str(ticket.customer) in staff
    # And the page prints the rows as row_html writes them
    page = login(personas.agent).get("/desk/?view=all").content.decode()
    assert row_html(row, staff=True, green_label="Green channel") in page or (
        row_html(row, staff=True, green_label="绿色通道") in page
    )
