"""The call log (D1): agents log hotline, 800-number and fax calls from a quick form or the
API; an answered call that needs follow-up opens a ticket on its channel; customers see
only their own organisation's calls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from baozhang.calls import services
from baozhang.calls.models import CallRecord
from baozhang.events.models import Event
from baozhang.events.tests.reading import reads

CST = dt.timezone(dt.timedelta(hours=8))
AT = dt.datetime(2026, 10, 12, 9, 30, tzinfo=CST)
NOW = AT + dt.timedelta(minutes=10)


def log(personas: Any, **kw: Any) -> CallRecord:
    kw.setdefault("channel", "hotline")
    kw.setdefault("number", "13800138000")
    kw.setdefault("caller_name", "张三")
    kw.setdefault("started_at", AT)
    kw.setdefault("answered", True)
    kw.setdefault("now", NOW)
    return services.record_call(kw.pop("actor", personas.agent), **kw)


def test_an_answered_call_is_logged_with_its_agent_and_an_event(personas: Any) -> None:
    call = log(personas, customer=personas.org_a, duration_seconds=270)
    assert call.agent == personas.agent
    assert (call.channel, call.direction, call.duration_seconds) == ("hotline", "in", 270)
    assert call.ticket is None
    event = Event.objects.get(object_type="calls.callrecord", object_id=str(call.pk))
    assert event.actor == personas.agent
    assert event.organisation == personas.org_a
    assert event.after["answered"] is True
    assert reads(event) == ("客服热线：已接听", "Service hotline: answered")
    missed = log(personas, channel="fax", answered=False)
    event = Event.objects.get(object_type="calls.callrecord", object_id=str(missed.pk))
    assert reads(event) == ("传真：未接", "Fax: missed")


def test_an_answered_call_needing_follow_up_opens_a_ticket_on_its_channel(personas: Any) -> None:
    call = log(
        personas,
        channel="free_800",
        customer=personas.org_a,
        follow_up=True,
        subject="专线中断 Leased line down",
        note="客户报告专线中断 since 9:00",
    )
    ticket = call.ticket
    assert ticket is not None
    assert ticket.channel == "free_800"
    assert ticket.customer == personas.org_a
    assert ticket.subject == "专线中断 Leased line down"
    assert ticket.requester == "张三 13800138000"
    assert ticket.messages.get().body == "客户报告专线中断 since 9:00"
    assert ticket.created_at == NOW


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"answered": False, "duration_seconds": 30}, "duration_seconds"),
        ({"answered": False, "follow_up": True}, "follow_up"),
        ({"follow_up": True}, "customer"),
        ({"channel": "telegraph"}, "channel"),
        ({"started_at": NOW + dt.timedelta(hours=1)}, "started_at"),
        ({"number": "", "caller_name": ""}, "number"),
    ],
)
def test_impossible_calls_are_refused_naming_the_field(
    personas: Any, kw: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        log(personas, **kw)
    assert field in info.value.message_dict
    assert CallRecord.objects.count() == 0


def test_an_operator_organisation_is_not_a_calls_customer(personas: Any) -> None:
    with pytest.raises(ValidationError) as info:
        log(personas, customer=personas.operator)
    assert "customer" in info.value.message_dict


def test_customers_people_do_not_log_calls(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        log(personas, actor=personas.contact_a, customer=personas.org_a)


def test_an_agent_logs_a_call_from_the_quick_form(
    personas: Any, login: Callable[..., Client]
) -> None:
    client = login(personas.agent)
    form = client.get(reverse("calls:log"))
    assert form.status_code == 200
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    response = client.post(
        reverse("calls:log"),
        {
            "channel": "hotline",
            "direction": "in",
            "number": "010-12345678",
            "caller_name": "李四",
            "customer": personas.org_a.pk,
            "started_at": when.strftime("%Y-%m-%dT%H:%M"),
            "answered": "on",
            "duration": "4:30",
            "note": "网站打不开",
            "follow_up": "on",
            "ticket_kind": "fault",
            "subject": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    call = CallRecord.objects.get()
    assert call.duration_seconds == 270
    assert call.started_at == when
    assert call.ticket is not None
    assert call.ticket.channel == "hotline"
    assert call.ticket.reference in response.content.decode()


def test_the_quick_form_shows_a_missed_call_with_a_duration_as_an_error(
    personas: Any, login: Callable[..., Client]
) -> None:
    client = login(personas.agent)
    response = client.post(
        reverse("calls:log"),
        {
            "channel": "fax",
            "direction": "in",
            "number": "0755-0000",
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration": "30",
            "ticket_kind": "fault",
        },
    )
    assert response.status_code == 200
    assert CallRecord.objects.count() == 0
    assert "30" in response.content.decode()
    assert response.context["form"].errors["duration"]


@pytest.mark.parametrize(
    ("language", "said", "unsaid"),
    [
        ("zh-hans", "未接来电没有时长（收到 30 秒）。", "A missed call has no duration"),
        ("en", "A missed call has no duration (got 30 s).", "未接来电没有时长"),
    ],
)
def test_a_refused_call_says_why_beside_its_field_in_the_readers_language_only(
    personas: Any, login: Callable[..., Client], language: str, said: str, unsaid: str
) -> None:
    personas.agent.language = language
    personas.agent.save(update_fields=["language"])
    response = login(personas.agent).post(
        reverse("calls:log"),
        {
            "channel": "fax",
            "direction": "in",
            "number": "0755-0000",
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "duration": "30",
            "ticket_kind": "fault",
        },
    )
    # The service names its argument duration_seconds; the form's field is "duration".
    assert response.context["form"].errors["duration"] == [said]
    assert unsaid not in response.content.decode()


def test_customers_people_get_404_for_the_quick_form(
    personas: Any, login: Callable[..., Client]
) -> None:
    assert login(personas.contact_a).get(reverse("calls:log")).status_code == 404


def test_the_call_list_shows_each_customer_only_its_own_calls(
    personas: Any, login: Callable[..., Client]
) -> None:
    a = log(personas, customer=personas.org_a, number="111-A")
    b = log(personas, customer=personas.org_b, number="222-B")
    unknown = log(personas, number="333-X", answered=False)
    staff_page = login(personas.agent).get(reverse("calls:list")).content.decode()
    assert all(n in staff_page for n in ("111-A", "222-B", "333-X"))
    client = login(personas.contact_b)
    page = client.get(reverse("calls:list")).content.decode()
    assert "222-B" in page
    assert "111-A" not in page and "333-X" not in page
    assert client.get(reverse("calls:detail", args=[b.pk])).status_code == 200
    assert client.get(reverse("calls:detail", args=[a.pk])).status_code == 404
    assert client.get(reverse("calls:detail", args=[unknown.pk])).status_code == 404


def test_the_api_logs_lists_and_shows_calls(
    personas: Any, api_client: Callable[..., Client]
) -> None:
    agent = api_client(personas.agent)
    response = agent.post(
        "/api/v1/calls",
        {
            "channel": "hotline",
            "number": "13900139000",
            "customer_id": personas.org_a.pk,
            "started_at": "2026-10-12T09:30:00+08:00",
            "answered": True,
            "duration_seconds": 95,
            "note": "内部备注 internal",
            "follow_up": True,
            "subject": "VPN 断开",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["agent_id"] == personas.agent.pk
    assert body["ticket_id"] is not None
    call_id = body["id"]
    assert agent.get(f"/api/v1/calls/{call_id}").json()["duration_seconds"] == 95
    listed = agent.get("/api/v1/calls?channel=hotline&answered=true").json()
    assert [c["id"] for c in listed["items"]] == [call_id]
    # The customer sees their call, without the agent's note.
    seen = api_client(personas.contact_a).get(f"/api/v1/calls/{call_id}")
    assert seen.status_code == 200
    assert seen.json()["note"] == ""


def test_the_api_refuses_bad_calls_and_customers_logging(
    personas: Any, api_client: Callable[..., Client]
) -> None:
    payload = {"channel": "hotline", "number": "1", "started_at": "2026-10-12T09:30:00+08:00"}
    response = api_client(personas.contact_a).post(
        "/api/v1/calls", payload, content_type="application/json"
    )
    assert response.status_code == 403
    missed = {**payload, "answered": False, "duration_seconds": 10}
    response = api_client(personas.agent).post(
        "/api/v1/calls", missed, content_type="application/json"
    )
    assert response.status_code == 422
    assert "duration_seconds" in response.json()["error"]["fields"]


def test_a_contact_of_b_gets_404_on_as_call_record(
    personas: Any, api_client: Callable[..., Client]
) -> None:
    a = log(personas, customer=personas.org_a)
    client = api_client(personas.contact_b)
    assert client.get(f"/api/v1/calls/{a.pk}").status_code == 404
    assert client.get("/api/v1/calls").json()["items"] == []
    assert api_client(personas.contact_a).get(f"/api/v1/calls/{a.pk}").status_code == 200


def test_signed_out_people_get_nothing(personas: Any) -> None:
    a = log(personas, customer=personas.org_a)
    client = Client()
    assert client.get(f"/api/v1/calls/{a.pk}").status_code == 401
    assert client.get(reverse("calls:detail", args=[a.pk])).status_code == 302


def test_control_characters_in_a_logged_call_are_removed_at_the_door(personas: Any) -> None:
    # given a call logged with NUL and escapes in its fields (pasted from a softphone)
    call = log(
        personas,
        number="138\x000013\x078000",
        caller_name="张\x00三\n",
        customer=personas.org_a,
        note="打不开\x00\x1b[1m\n第二行",
        follow_up=True,
        subject="网站\x00故障",
    )
    # then the call and its ticket hold none of them; the note keeps its lines
    call.refresh_from_db()
    assert (call.number, call.caller_name) == ("13800138000", "张三")
    assert call.note == "打不开[1m\n第二行"
    assert call.ticket.subject == "网站故障"
    assert call.ticket.description == "打不开[1m\n第二行"
