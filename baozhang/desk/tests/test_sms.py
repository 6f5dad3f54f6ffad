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


def test_a_late_stamped_text_to_a_paused_ticket_is_kept_and_routed(personas, gateway):
    import datetime as dt

    from django.utils import timezone

    from baozhang.desk import services
    from baozhang.desk.models import Clock, Status

    personas.contact_a.phone = "13800000001"
    personas.contact_a.save()
    now = timezone.now()
    ticket = services.open_ticket(
        None,
        customer=personas.org_a,
        kind="fault",
        subject="服务器无法登录",
        contact=personas.contact_a,
        now=now - dt.timedelta(hours=2),
    )
    services.change_status(
        personas.agent, ticket, Status.WAITING_CUSTOMER, now=now - dt.timedelta(minutes=30)
    )
    # The gateway stamped the text an hour ago, before the ticket waited for the customer,
    # and hands it over only now.
    stamped = now - dt.timedelta(hours=1)

    response = gateway(
        {
            "from": "13800000001",
            "text": f"{ticket.reference} 已重启",
            "message_id": "gw-late",
            "received_at": stamped.isoformat(),
        }
    )

    assert response.status_code == 202, response.content
    assert response.json()["outcome"] == "replied"
    sms = InboundSms.objects.get()
    assert sms.received_at == stamped  # the gateway's fact is recorded …
    message = ticket.messages.get(channel="sms")
    assert message.created_at >= now  # … but the ticket moves at the server's time
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    running = Clock.objects.filter(ticket=ticket, stopped_at__isnull=True)
    assert running.exists()
    assert not [c for c in running if c.state == "paused"]


def test_a_stamp_in_the_future_is_refused_and_nothing_kept(personas, gateway):
    import datetime as dt

    from django.utils import timezone

    future = timezone.now() + dt.timedelta(minutes=6)
    response = gateway({"from": "13900000000", "text": "你好", "received_at": future.isoformat()})
    assert response.status_code == 422
    assert "received_at" in response.json()["error"]["fields"]
    assert not InboundSms.objects.exists()

    # A gateway clock a minute fast is fine.
    near = timezone.now() + dt.timedelta(minutes=1)
    ok = gateway({"from": "13900000000", "text": "你好", "received_at": near.isoformat()})
    assert ok.status_code == 202


def test_a_routing_failure_keeps_the_text(personas, gateway, monkeypatch):
    from baozhang.desk import services

    personas.contact_a.phone = "13800000001"
    personas.contact_a.save()

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "open_ticket", boom)
    response = gateway({"from": "13800000001", "text": "服务器宕机", "message_id": "gw-x"})

    assert response.status_code == 202, response.content
    assert response.json()["outcome"] == "failed"
    sms = InboundSms.objects.get()
    assert sms.outcome == "failed"
    assert sms.text.startswith("服务器宕机")
    assert "RuntimeError: database hiccup" in sms.text
    assert sms.gateway_id == "gw-x"
    assert not Ticket.objects.exists()


def test_staff_give_a_text_from_an_unknown_number_to_a_customer(personas, gateway, login):
    gateway({"from": "13900000000", "text": "网站打不开 site down"})
    client = login(personas.agent)
    page = client.get("/desk/sms/").content.decode()
    assert "网站打不开" in page

    sms = InboundSms.objects.get()
    response = client.post(f"/desk/sms/{sms.pk}/release/", {"customer": personas.org_a.pk})
    assert response.status_code == 302
    sms.refresh_from_db()
    assert sms.ticket.customer == personas.org_a
    assert sms.ticket.channel == "sms"
    assert login(personas.contact_a).get("/desk/sms/").status_code == 404
