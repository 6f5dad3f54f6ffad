"""Who reads the delivery log, who retries a dead message, and who changes a customer's
channel: capabilities, not the menu, decide."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from baozhang.events.models import Event
from baozhang.events.tests.reading import reads
from baozhang.notify import services
from baozhang.notify.models import Message, MessageStatus
from baozhang.notify.tests.channel_configs import HOOK
from baozhang.notify.tests.conftest import enqueue_now

# -- the delivery log and retries --------------------------------------------------------


@pytest.fixture
def log(personas: Any, channel_factory: Any) -> dict[str, Any]:
    a = channel_factory("webhook", HOOK, organisation=personas.org_a)
    own = channel_factory("webhook", HOOK, user=personas.engineer)
    msg_a = enqueue_now(a, "log-a")
    msg_own = enqueue_now(own, "log-own")
    Message.objects.filter(pk__in=[msg_a.pk, msg_own.pk]).update(status=MessageStatus.DEAD)
    return {"a": a, "own": own, "msg_a": msg_a, "msg_own": msg_own}


def test_staff_without_the_delivery_log_capability_read_only_their_own_messages(
    personas: Any, log: dict[str, Any], api_client: Any, login: Any
) -> None:
    engineer = api_client(personas.engineer)
    listed = engineer.get("/api/v1/notify/messages").json()
    assert [m["id"] for m in listed["items"]] == [log["msg_own"].pk]
    assert engineer.get(f"/api/v1/notify/messages/{log['msg_a'].pk}").status_code == 404
    page = login(personas.engineer).get(reverse("notify:message_list")).content.decode()
    assert reverse("notify:message_detail", args=[log["msg_a"].pk]) not in page
    for reader in (personas.security, personas.director, personas.admin):
        ids = {m["id"] for m in api_client(reader).get("/api/v1/notify/messages").json()["items"]}
        assert ids == {log["msg_a"].pk, log["msg_own"].pk}, reader
    ids = {
        m["id"]
        for m in api_client(personas.contact_a).get("/api/v1/notify/messages").json()["items"]
    }
    assert ids == {log["msg_a"].pk}


def test_reading_the_delivery_log_does_not_allow_retrying(
    personas: Any, log: dict[str, Any], api_client: Any, login: Any
) -> None:
    security = api_client(personas.security)
    response = security.post(f"/api/v1/notify/messages/{log['msg_a'].pk}/retry")
    assert response.status_code == 403
    assert Message.objects.get(pk=log["msg_a"].pk).status == MessageStatus.DEAD
    detail = login(personas.security).get(reverse("notify:message_detail", args=[log["msg_a"].pk]))
    assert reverse("notify:message_retry", args=[log["msg_a"].pk]) not in detail.content.decode()
    # the channel's managers and administrators may
    services.retry_dead(personas.director, log["msg_a"])
    services.retry_dead(personas.admin, log["msg_own"])
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PENDING}
    retried = Event.objects.filter(object_id=str(log["msg_a"].pk), after__status="pending")
    assert reads(retried.get()) == ("无法送达的消息已重新发送", "undeliverable message sent again")


# -- who may change customers' channels --------------------------------------------------


def test_only_administrators_directors_and_the_customer_change_a_customer_channel(
    personas: Any, channel_factory: Any, api_client: Any
) -> None:
    a = channel_factory("webhook", HOOK, organisation=personas.org_a)
    operator = channel_factory("webhook", HOOK, organisation=personas.operator)
    agents_own = channel_factory("webhook", HOOK, user=personas.agent)
    for person in (personas.agent, personas.engineer, personas.security):
        with pytest.raises(PermissionDenied):
            services.update_channel(person, a, name="taken over")
        with pytest.raises(PermissionDenied):
            services.send_test(person, a)
    response = api_client(personas.agent).patch(
        f"/api/v1/notify/channels/{a.pk}", {"name": "taken over"}, "application/json"
    )
    assert response.status_code == 403
    for person in (personas.admin, personas.director, personas.contact_a):
        services.update_channel(person, a, name=f"by {person.username}")
    with pytest.raises(PermissionDenied):
        services.update_channel(personas.director, operator, name="x")
    services.update_channel(personas.admin, operator, name="operator's")
    operator.refresh_from_db()
    tried = services.send_test(personas.admin, operator)
    event = Event.objects.get(object_type="notify.message", object_id=str(tried.pk))
    assert reads(event) == ("测试通知 → operator's", "test notification → operator's")
    services.update_channel(personas.agent, agents_own, name="mine")
    with pytest.raises(PermissionDenied):
        services.update_channel(personas.engineer, agents_own, name="not mine")
    with pytest.raises(PermissionDenied):
        services.update_channel(personas.contact_b, a, name="not ours")


def test_retrying_a_message_that_is_not_undeliverable_says_so_in_the_readers_language(
    personas: Any, log: dict[str, Any], api_client: Any
) -> None:
    services.retry_dead(personas.director, log["msg_a"])
    director = api_client(personas.director)
    url = f"/api/v1/notify/messages/{log['msg_a'].pk}/retry"

    said = {}
    for language in ("zh-hans", "en"):
        response = director.post(url, HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 422, response.content
        said[language] = " ".join(response.json()["error"]["fields"]["status"])

    assert said["en"] == "Only undeliverable messages can be sent again (this one is pending)."
    assert said["zh-hans"] == "只能重发投递失败的消息（当前：待发送）。"
