"""The outbox: enqueue joins the caller's transaction, and a dedup key is used once."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from baozhang.notify import services
from baozhang.notify.models import Message, MessageStatus


class Boom(Exception):
    pass


def test_enqueue_is_rolled_back_with_the_callers_transaction(channel_factory: Any) -> None:
    # given a channel
    channel = channel_factory(config={"webhook_url": "http://127.0.0.1:9/hook"})
    # when the change that caused the notification fails after enqueueing
    with pytest.raises(Boom), transaction.atomic():
        services.enqueue(channel, "test", {"channel_name": "x"}, "ticket:1:opened")
        raise Boom
    # then no message is left behind
    assert not Message.objects.filter(dedup_key="ticket:1:opened").exists()


def test_enqueue_outside_a_transaction_is_refused(channel_factory: Any) -> None:
    channel = channel_factory(config={"webhook_url": "http://127.0.0.1:9/hook"})
    # the db fixture wraps each test in a transaction; leave it to check the guard
    connection = transaction.get_connection()
    saved = connection.in_atomic_block
    connection.in_atomic_block = False
    try:
        with pytest.raises(RuntimeError, match="inside the caller's transaction"):
            services.enqueue(channel, "test", {}, "k")
    finally:
        connection.in_atomic_block = saved


def test_second_enqueue_with_the_same_key_is_a_no_op(channel_factory: Any) -> None:
    channel = channel_factory(config={"webhook_url": "http://127.0.0.1:9/hook"})
    with transaction.atomic():
        first = services.enqueue(channel, "test", {"channel_name": "一"}, "incident:7:down")
    with transaction.atomic():
        second = services.enqueue(channel, "test", {"channel_name": "二"}, "incident:7:down")
    assert first is not None and second is not None
    assert second.pk == first.pk
    assert Message.objects.filter(dedup_key="incident:7:down").count() == 1
    assert "一" in Message.objects.get(pk=first.pk).subject


def test_body_is_rendered_in_the_recipients_language(personas: Any, channel_factory: Any) -> None:
    zh = channel_factory(
        config={"webhook_url": "http://127.0.0.1:9/a"}, organisation=personas.org_a
    )
    en = channel_factory(
        config={"webhook_url": "http://127.0.0.1:9/b"}, organisation=personas.org_b
    )
    override = channel_factory(
        config={"webhook_url": "http://127.0.0.1:9/c"}, organisation=personas.org_a, language="en"
    )
    with transaction.atomic():
        m_zh = services.enqueue(zh, "test", {"channel_name": "甲"}, "k1")
        m_en = services.enqueue(en, "test", {"channel_name": "B"}, "k2")
        m_override = services.enqueue(override, "test", {"channel_name": "C"}, "k3")
    assert m_zh.subject == "【保障】测试通知：甲" and "这是一条测试通知" in m_zh.body
    assert m_en.subject == "[Baozhang] Test notification: B"
    assert "This is a test notification." in m_en.body
    assert m_override.language == "en"
    assert m_zh.status == MessageStatus.PENDING


def test_fan_out_over_enabled_channels_with_a_key_per_channel(
    personas: Any, channel_factory: Any
) -> None:
    a = channel_factory(config={"webhook_url": "http://127.0.0.1:9/a"})
    b = channel_factory(config={"webhook_url": "http://127.0.0.1:9/b"})
    channel_factory(config={"webhook_url": "http://127.0.0.1:9/c"}, enabled=False)
    mine = channel_factory(config={"webhook_url": "http://127.0.0.1:9/d"}, user=personas.agent)
    with transaction.atomic():
        org_messages = services.notify_organisation(personas.org_a, "test", {}, "sla:3:warn")
        user_messages = services.notify_user(personas.agent, "test", {}, "sla:3:warn")
        again = services.notify_organisation(personas.org_a, "test", {}, "sla:3:warn")
    assert {m.channel_id for m in org_messages} == {a.pk, b.pk}
    assert [m.channel_id for m in user_messages] == [mine.pk]
    assert {m.pk for m in again} == {m.pk for m in org_messages}
    assert {m.dedup_key for m in org_messages} == {f"sla:3:warn:c{a.pk}", f"sla:3:warn:c{b.pk}"}
