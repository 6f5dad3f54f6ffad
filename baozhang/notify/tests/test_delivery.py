"""Delivery through Apprise to real servers on loopback: an SMTP server and a webhook."""

from __future__ import annotations

import time
from typing import Any

from django.utils import translation

from baozhang.events.models import Event, EventKind
from baozhang.events.tests.reading import reads
from baozhang.notify import errors
from baozhang.notify.delivery import backoff_seconds, claim_due, deliver, deliver_due
from baozhang.notify.models import DeliveryAttempt, Message, MessageStatus
from baozhang.notify.tests.conftest import email_config, enqueue_now
from baozhang.notify.tests.receivers import SmtpReceiver, WebhookReceiver, free_port


def test_chinese_email_reaches_a_real_smtp_server(
    personas: Any, channel_factory: Any, smtp: SmtpReceiver
) -> None:
    # given an e-mail channel of a Chinese-speaking customer
    channel = channel_factory(
        "email", email_config(smtp, "oncall@example.com"), organisation=personas.org_a
    )
    message = enqueue_now(channel, "ticket:42:opened", actor="张三")
    # when the worker delivers what is due
    assert deliver_due("w1") == 1
    # then the SMTP server received it, in Chinese, with our dedup key
    assert smtp.wait_for(1, 5)
    received = smtp.items[0].data
    assert received["Subject"] == f"【保障】测试通知：{channel.name}"
    assert "这是一条测试通知。" in received.get_content()
    assert "发送人：张三" in received.get_content()
    assert received["X-Baozhang-Dedup-Key"] == "ticket:42:opened"
    assert smtp.items[0].headers["to"] == "oncall@example.com"
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.sent_at is not None
    [attempt] = message.attempt_log.all()
    assert attempt.ok is True and attempt.worker == "w1" and attempt.finished_at is not None


def test_webhook_receives_json_with_an_idempotency_key(
    personas: Any, channel_factory: Any, webhook: WebhookReceiver
) -> None:
    channel = channel_factory(
        config={"webhook_url": webhook.url + "?src=bz", "webhook_headers": {"X-Auth": "t0ken-123"}},
        organisation=personas.org_b,
    )
    enqueue_now(channel, "incident:9:down")
    assert deliver_due("w1") == 1
    assert webhook.wait_for(1, 5)
    got = webhook.items[0]
    assert got.data["title"] == f"[Baozhang] Test notification: {channel.name}"
    assert "This is a test notification." in got.data["message"]
    assert got.data["dedup_key"] == "incident:9:down"
    assert got.key == "incident:9:down"
    assert got.headers["X-Auth"] == "t0ken-123"


def test_sms_gateway_gets_phone_and_text_as_a_form(
    personas: Any, channel_factory: Any, webhook: WebhookReceiver
) -> None:
    channel = channel_factory(
        "sms",
        {
            "sms_gateway_url": webhook.url + "?apikey=k-123456",
            "sms_phone": "13800138000",
            "sms_method": "form",
            "sms_message_field": "content",
            "sms_extra": "sign=保障",
        },
    )
    enqueue_now(channel, "sms:1")
    assert deliver_due("w1") == 1
    assert webhook.wait_for(1, 5)
    data = webhook.items[0].data
    assert data["phone"] == "13800138000" and data["sign"] == "保障"
    assert data["content"].startswith("【保障】测试通知") and "title" not in data


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    assert backoff_seconds(1, 30, 3600, 0.0) == 15
    assert backoff_seconds(1, 30, 3600, 1.0) == 30
    assert backoff_seconds(3, 30, 3600, 0.5) == 90
    assert backoff_seconds(20, 30, 3600, 0.0) == 1800
    assert backoff_seconds(20, 30, 3600, 0.999) < 3600


def test_failures_back_off_then_go_dead_with_every_attempt_logged(
    personas: Any, channel_factory: Any, fast_retries: Any, settings: Any
) -> None:
    # given a webhook nobody listens on, and an operator channel for the dead-letter notice
    with WebhookReceiver(status=500) as failing, WebhookReceiver() as ops:
        channel = channel_factory(config={"webhook_url": failing.url})
        channel_factory(config={"webhook_url": ops.url}, organisation=personas.operator)
        settings.NOTIFY_BACKOFF_BASE_SECONDS = 60
        settings.NOTIFY_BACKOFF_MAX_SECONDS = 60
        message = enqueue_now(channel, "report:1")
        # when it is tried: the first failure schedules the next try 30–60 s later
        assert deliver_due("w1") == 0
        message.refresh_from_db()
        assert message.status == MessageStatus.PENDING and message.attempts == 1
        delay = (message.next_attempt_at - message.attempt_log.get().finished_at).total_seconds()
        assert 29 <= delay <= 61
        with translation.override("en"):
            assert message.last_error_text.startswith("The receiver answered HTTP 500")
        with translation.override("zh-hans"):
            assert message.last_error_text.startswith("接收方返回 HTTP 500")
        assert message.last_error == '{"ok": true}'  # the receiver's own answer, as given
        assert deliver_due("w1") == 0  # not due yet
        # then after the last try (NOTIFY_MAX_ATTEMPTS = 3) it is dead
        for _ in range(2):
            Message.objects.filter(pk=message.pk).update(next_attempt_at=message.created_at)
            deliver_due("w1")
        message.refresh_from_db()
        assert message.status == MessageStatus.DEAD and message.attempts == 3
        attempts = list(message.attempt_log.order_by("number"))
        assert [a.number for a in attempts] == [1, 2, 3]
        assert all(a.ok is False and a.error_id == errors.HTTP_STATUS for a in attempts)
        assert all("500" in a.error_text for a in attempts)
        event = Event.objects.get(kind=EventKind.NOTIFICATION_DEAD)
        assert event.object_id == str(message.pk) and event.organisation_id == personas.org_a.pk
        # said in the reader's language; the technical error stays as the channel gave it
        zh, en = reads(event)
        assert zh.startswith(f"经 {message.channel.name} 投递失败：") and "500" in zh
        assert en.startswith(f"not delivered on {message.channel.name}: ") and "500" in en
        # and the operator is told, in its language
        notice = Message.objects.get(template_key="notification_dead")
        assert notice.subject.startswith("【保障】通知投递失败")
        assert deliver_due("w1") == 1
        assert ops.wait_for(1, 5)


def test_a_target_that_hangs_costs_one_timeout(
    channel_factory: Any, fast_retries: Any, settings: Any
) -> None:
    settings.NOTIFY_SEND_TIMEOUT_SECONDS = 1
    with WebhookReceiver(hang=True) as hanging:
        channel = channel_factory(config={"webhook_url": hanging.url})
        message = enqueue_now(channel, "hang:1")
        started = time.monotonic()
        [item] = claim_due("w1", 10)
        assert deliver(item, "w1") is False
        elapsed = time.monotonic() - started
    assert 0.9 <= elapsed < 3.0
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert "timed out" in message.last_error.lower() or "timeout" in message.last_error.lower()


def test_refused_connection_error_text_is_recorded_without_secrets(
    channel_factory: Any, fast_retries: Any
) -> None:
    port = free_port()  # nothing listens here
    channel = channel_factory(
        config={"webhook_url": f"http://127.0.0.1:{port}/hook/s3cr3tpath?token=abcd-secret"}
    )
    message = enqueue_now(channel, "refused:1")
    deliver_due("w1")
    attempt = DeliveryAttempt.objects.get(message=message)
    assert attempt.ok is False and attempt.error
    assert "abcd-secret" not in attempt.error and "s3cr3tpath" not in attempt.error


def test_a_message_whose_worker_died_is_claimed_again_after_its_lease(
    channel_factory: Any, webhook: WebhookReceiver, settings: Any
) -> None:
    channel = channel_factory(config={"webhook_url": webhook.url})
    message = enqueue_now(channel, "lease:1")
    [item] = claim_due("dead-worker", 10)  # claimed, then the worker "dies"
    assert claim_due("w2", 10) == []  # the lease holds
    later = message.created_at + __import__("datetime").timedelta(
        seconds=settings.NOTIFY_LEASE_SECONDS + 5
    )
    [again] = claim_due("w2", 10, now=later)
    assert again.number == 2
    assert deliver(item, "dead-worker") is False  # the old owner lost it
    assert deliver(again, "w2") is True
    attempts = list(DeliveryAttempt.objects.filter(message=message).order_by("number"))
    assert attempts[0].ok is False and attempts[0].error_id == errors.INTERRUPTED
    with translation.override("en"):
        assert attempts[0].error_text.startswith("Interrupted: the worker stopped")
    with translation.override("zh-hans"):
        assert attempts[0].error_text.startswith("投递中断")
    assert attempts[1].ok is True
    assert len(webhook) == 1
