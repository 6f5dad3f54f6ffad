"""Pages and API: a customer's contact sees only their own organisation's channels and
messages (another organisation's are 404), staff see all, personal channels stay personal."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from baozhang.notify.models import Channel, Message, MessageStatus
from baozhang.notify.tests.conftest import enqueue_now

HOOK = {"webhook_url": "http://127.0.0.1:9/hook?token=very-secret-1"}


@pytest.fixture
def world(personas: Any, channel_factory: Any) -> dict[str, Any]:
    a = channel_factory(config=HOOK, organisation=personas.org_a, name="甲的通道")
    b = channel_factory(config=HOOK, organisation=personas.org_b, name="B channel")
    mine = channel_factory(config=HOOK, user=personas.agent, name="agent's own")
    return {
        "a": a,
        "b": b,
        "mine": mine,
        "msg_a": enqueue_now(a, "wa"),
        "msg_b": enqueue_now(b, "wb"),
        "msg_mine": enqueue_now(mine, "wm"),
    }


def test_contact_of_b_gets_404_for_a_s_channel_and_message_pages(
    personas: Any, world: dict[str, Any], login: Any
) -> None:
    client = login(personas.contact_b)
    for name, pk in [
        ("notify:channel_edit", world["a"].pk),
        ("notify:message_detail", world["msg_a"].pk),
        ("notify:channel_edit", world["mine"].pk),
    ]:
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert client.post(reverse("notify:channel_test", args=[world["a"].pk])).status_code == 404
    assert client.post(reverse("notify:message_retry", args=[world["msg_a"].pk])).status_code == 404
    listing = client.get(reverse("notify:channel_list")).content.decode()
    assert (
        "B channel" in listing and "甲的通道" not in listing and "agent&#x27;s own" not in listing
    )
    log = client.get(reverse("notify:message_list")).content.decode()
    assert reverse("notify:message_detail", args=[world["msg_b"].pk]) in log
    assert reverse("notify:message_detail", args=[world["msg_a"].pk]) not in log


def test_contact_of_b_gets_404_for_a_s_objects_in_the_api(
    personas: Any, world: dict[str, Any], api_client: Any
) -> None:
    api = api_client(personas.contact_b)
    base = "/api/v1/notify"
    assert api.get(f"{base}/channels/{world['a'].pk}").status_code == 404
    assert (
        api.patch(
            f"{base}/channels/{world['a'].pk}", {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert api.post(f"{base}/channels/{world['a'].pk}/test").status_code == 404
    assert api.get(f"{base}/messages/{world['msg_a'].pk}").status_code == 404
    assert api.post(f"{base}/messages/{world['msg_a'].pk}/retry").status_code == 404
    listed = api.get(f"{base}/channels").json()
    assert [c["id"] for c in listed["items"]] == [world["b"].pk]
    assert listed["items"][0]["config"]["webhook_url"] == "http://127.0.0.1:9/***"
    messages = api.get(f"{base}/messages").json()
    assert [m["id"] for m in messages["items"]] == [world["msg_b"].pk]


def test_staff_see_every_organisation_but_only_their_own_personal_channels(
    personas: Any, world: dict[str, Any], api_client: Any
) -> None:
    engineer = api_client(personas.engineer).get("/api/v1/notify/channels").json()
    assert {c["id"] for c in engineer["items"]} == {world["a"].pk, world["b"].pk}
    agent = api_client(personas.agent).get("/api/v1/notify/channels").json()
    assert {c["id"] for c in agent["items"]} == {world["a"].pk, world["b"].pk, world["mine"].pk}
    admin = api_client(personas.admin).get("/api/v1/notify/channels").json()
    assert admin["count"] == 3


def test_api_creates_with_field_errors_updates_keeping_secrets_and_sends_a_test(
    personas: Any, api_client: Any
) -> None:
    api = api_client(personas.contact_a)
    bad = api.post(
        "/api/v1/notify/channels",
        {"name": "x", "kind": "dingtalk", "config": {"dingtalk_token": "no/slashes"}},
        content_type="application/json",
    )
    assert bad.status_code == 422
    # Customer A reads Chinese: the field message comes in Chinese only.
    assert "钉钉 access_token" in bad.json()["error"]["fields"]["dingtalk_token"][0]
    created = api.post(
        "/api/v1/notify/channels",
        {
            "name": "钉钉群",
            "kind": "dingtalk",
            "config": {"dingtalk_token": "abc123", "dingtalk_secret": "SECxyz"},
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (
        body["organisation_id"] == personas.org_a.pk and body["config"]["dingtalk_secret"] == "***"
    )
    patched = api.patch(
        f"/api/v1/notify/channels/{body['id']}",
        {"config": {"dingtalk_token": "def456", "dingtalk_secret": "***"}},
        content_type="application/json",
    )
    assert patched.status_code == 200
    channel = Channel.objects.get(pk=body["id"])
    assert channel.config == {"dingtalk_token": "def456", "dingtalk_secret": "SECxyz"}
    test = api.post(f"/api/v1/notify/channels/{body['id']}/test")
    assert test.status_code == 202 and test.json()["status"] == "pending"
    detail = api.get(f"/api/v1/notify/messages/{test.json()['id']}").json()
    assert detail["subject"] == "【保障】测试通知：钉钉群" and detail["attempt_log"] == []


def test_channel_form_shows_field_errors_in_the_readers_language_and_retry_requeues_a_dead_message(
    personas: Any, world: dict[str, Any], login: Any
) -> None:
    client = login(personas.contact_a)
    response = client.post(
        reverse("notify:channel_create"),
        {
            "owner": f"org:{personas.org_a.pk}",
            "name": "邮件",
            "kind": "email",
            "smtp_host": "mail.example.com",
            "from_address": "bad",
            "to_addresses": "ops@example.com",
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-field-error="from_address"' in page and "发件地址“bad”无效" in page
    assert "is invalid" not in page  # the reader's language only
    Message.objects.filter(pk=world["msg_a"].pk).update(status=MessageStatus.DEAD)
    client.post(reverse("notify:message_retry", args=[world["msg_a"].pk]))
    assert Message.objects.get(pk=world["msg_a"].pk).status == MessageStatus.PENDING
    detail = client.get(reverse("notify:message_detail", args=[world["msg_a"].pk])).content.decode()
    assert "very-secret-1" not in detail
