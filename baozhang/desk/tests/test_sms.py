"""D1: SMS through a gateway's webhook."""

from __future__ import annotations

import pytest

from baozhang.desk.models import InboundSms, Ticket

TOKEN = "gateway-secret-123"


@pytest.fixture
def gateway(settings, client):  # type: ignore[no-untyped-def]
    settings.SMS_WEBHOOK_TOKEN = TOKEN

    def post(body, token=TOKEN):  # type: ignore[no-untyped-def]
        return client.post(
            "/api/v1/sms/inbound",
            body,
            content_type="application/json",
            headers={"X-Baozhang-Token": token},
        )

    return post


def test_a_text_from_a_known_number_opens_a_ticket_and_a_quoted_reference_replies(
    personas, gateway
):
    personas.contact_a.phone = "138-0000-0001"
    personas.contact_a.save()

    opened = gateway(
        {"from": "+86 13800000001", "text": "服务器无法登录\n从早上开始", "message_id": "gw-1"}
    )
    assert opened.status_code == 202, opened.content
    ticket = Ticket.objects.get(reference=opened.json()["ticket_reference"])
    assert ticket.channel == "sms"
    assert ticket.customer == personas.org_a
    assert ticket.subject == "服务器无法登录"

    replied = gateway(
        {
            "from": "8613800000001",
            "text": f"{ticket.reference} 已经好了，谢谢",
            "message_id": "gw-2",
        }
    )
    assert replied.json()["outcome"] == "replied"
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(channel="sms").count() == 2

    again = gateway({"from": "8613800000001", "text": "重复投递 duplicate", "message_id": "gw-2"})
    assert again.json()["id"] == replied.json()["id"]
    assert InboundSms.objects.count() == 2


def test_an_unknown_number_is_kept_not_lost(personas, gateway):
    response = gateway({"from": "13900000000", "text": "你好"})
    assert response.json()["outcome"] == "unmatched"
    assert InboundSms.objects.get().text == "你好"
    assert not Ticket.objects.exists()


def test_a_wrong_token_or_bad_fields_are_refused(personas, gateway):
    assert gateway({"from": "13900000000", "text": "x"}, token="guess").status_code == 401
    bad = gateway({"text": ""})
    assert bad.status_code == 422
    assert {"from", "text"} <= set(bad.json()["error"]["fields"])
