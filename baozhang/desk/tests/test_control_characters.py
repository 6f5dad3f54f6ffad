"""Control characters in an SMS and in the portal's forms are removed at the door."""

from __future__ import annotations

from typing import Any

from baozhang.desk.models import InboundSms, Ticket
from baozhang.desk.sms import receive_sms


def test_an_sms_with_nul_and_escapes_is_kept_and_opens_a_clean_ticket(personas: Any) -> None:
    # given a contact's number and a text with NUL, a bell and an escape sequence
    personas.contact_a.phone = "13800000001"
    personas.contact_a.save(update_fields=["phone"])
    # when the gateway delivers it
    sms = receive_sms(
        "+86 1380000\x000001", "服务器\x00宕机\x07\x1b[0m\n请处理", gateway_id="gw\x00-9"
    )
    # then it is kept and opens a ticket, with no control character anywhere
    sms.refresh_from_db()
    assert sms.outcome == InboundSms.Outcome.OPENED
    assert (sms.sender, sms.text, sms.gateway_id) == (
        "+86 13800000001",
        "服务器宕机[0m\n请处理",
        "gw-9",
    )
    ticket = Ticket.objects.get()
    assert ticket.subject == "服务器宕机[0m"
    assert ticket.description == "服务器宕机[0m\n请处理"


def test_a_text_of_control_characters_only_is_kept_empty(personas: Any) -> None:
    sms = receive_sms("13800000009", "\x00\x00\x00")
    assert InboundSms.objects.get(pk=sms.pk).text == ""


def test_the_portal_forms_remove_control_characters(personas: Any, login: Any) -> None:
    # given a customer's contact in the portal
    client = login(personas.contact_a)
    # when they open a ticket and reply with NUL and escapes pasted in
    opened = client.post(
        "/desk/new/",
        {
            "kind": "request",
            "subject": "网站\x00打不开\t\x1b",
            "description": "第一行\x00\r\n第二行\t完",
        },
    )
    assert opened.status_code == 302, opened.content.decode()[:2000]
    ticket = Ticket.objects.get()
    replied = client.post(f"/desk/tickets/{ticket.pk}/", {"body": "补充\x00说明\x07\n谢谢"})
    assert replied.status_code == 302
    # then the ticket keeps their words without the control characters, lines and tabs kept
    ticket.refresh_from_db()
    assert ticket.subject == "网站打不开"
    assert ticket.description == "第一行\r\n第二行\t完"
    assert ticket.messages.order_by("-id").first().body == "补充说明\n谢谢"
