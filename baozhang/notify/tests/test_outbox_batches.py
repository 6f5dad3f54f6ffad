"""The outbox in batches (issue 17): a sender per channel and thread that keeps its
connection, a batch's outcomes recorded together, every promise of one-by-one delivery kept;
and why a try failed said in the reader's language (issue 18)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import apprise
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from baozhang.core.outbound import Category, Refusal
from baozhang.notify import channels as kinds
from baozhang.notify import delivery, errors, http_send
from baozhang.notify.models import DeliveryAttempt, Message, MessageStatus
from baozhang.notify.tests.conftest import enqueue_now
from baozhang.notify.tests.receivers import WebhookReceiver


@pytest.fixture(autouse=True)
def _fresh_senders() -> Any:
    delivery.forget_senders()
    yield
    delivery.forget_senders()


def _one_batch(worker: str = "w1") -> delivery.Batch:
    [batch] = delivery.claim_batches(worker, 1)
    return batch


def test_a_batch_with_failures_and_successes_marks_each_message_as_it_went(
    personas: Any, channel_factory: Any, fast_retries: Any, settings: Any
) -> None:
    settings.NOTIFY_BACKOFF_BASE_SECONDS = 60
    settings.NOTIFY_BACKOFF_MAX_SECONDS = 60
    with WebhookReceiver() as good, WebhookReceiver(status=503) as bad:
        ok_channel = channel_factory(config={"webhook_url": good.url})
        bad_channel = channel_factory(config={"webhook_url": bad.url})
        # and one whose host the operator allowed when it was saved, no longer when sent
        port = good.port
        refused_channel = channel_factory(config={"webhook_url": f"http://[::1]:{port}/r"})
        keys = {}
        for i in range(3):
            for name, channel in (("ok", ok_channel), ("bad", bad_channel)):
                keys[f"{name}{i}"] = enqueue_now(channel, f"{name}:{i}").pk
        keys["refused"] = enqueue_now(refused_channel, "refused:0").pk
        settings.OUTBOUND_ALLOW_HOSTS = ["127.0.0.1"]
        # when one batch holds them all
        batch = _one_batch()
        assert len(batch.items) == 7
        assert delivery.deliver_batch(batch, "w1") == 3
    # then each message is marked as its own send went
    rows = {m.pk: m for m in Message.objects.all()}
    for i in range(3):
        sent, failed = rows[keys[f"ok{i}"]], rows[keys[f"bad{i}"]]
        assert sent.status == MessageStatus.SENT and sent.sent_at and not sent.last_error_id
        assert sent.locked_by == "" and sent.next_attempt_at is None
        assert failed.status == MessageStatus.PENDING and failed.attempts == 1
        assert failed.locked_by == "" and failed.last_error_id == errors.HTTP_STATUS
        assert 29 <= (failed.next_attempt_at - timezone.now()).total_seconds() <= 61
    dead = rows[keys["refused"]]
    assert dead.status == MessageStatus.DEAD and dead.last_error_id == errors.REFUSED
    assert "::1" in dead.last_error_text
    assert good.keys() == {f"ok:{i}": 1 for i in range(3)}
    assert len(bad) == 3
    # and every try is in the delivery log, closed, with its own outcome
    attempts = {a.message_id: a for a in DeliveryAttempt.objects.all()}
    assert len(attempts) == 7 and all(a.finished_at for a in attempts.values())
    assert {pk for pk, a in attempts.items() if a.ok} == {keys[f"ok{i}"] for i in range(3)}
    assert attempts[keys["bad0"]].error_id == errors.HTTP_STATUS
    assert attempts[keys["refused"]].error_id == errors.REFUSED


def test_a_batch_records_its_outcomes_with_as_many_statements_whatever_its_size(
    personas: Any, channel_factory: Any, fast_retries: Any
) -> None:
    """One UPDATE per outcome, not per message: a batch of 12 takes the statements of 4."""
    fast_retries.NOTIFY_BACKOFF_BASE_SECONDS = 60  # the failed ones are not due again
    fast_retries.NOTIFY_BACKOFF_MAX_SECONDS = 60

    def statements(n: int, prefix: str) -> int:
        with WebhookReceiver() as good, WebhookReceiver(status=500) as bad:
            ok = channel_factory(config={"webhook_url": good.url})
            ko = channel_factory(config={"webhook_url": bad.url})
            for i in range(n // 2):
                enqueue_now(ok, f"{prefix}ok:{i}")
                enqueue_now(ko, f"{prefix}ko:{i}")
            batch = _one_batch()
            assert len(batch.items) == n
            with CaptureQueriesContext(connection) as queries:
                delivery.deliver_batch(batch, "w1")
            assert len(good) == n // 2 and len(bad) == n // 2
        return sum(1 for q in queries.captured_queries if q["sql"].lstrip().startswith("UPDATE"))

    small, large = statements(4, "s"), statements(12, "l")
    assert small == large
    assert large <= 4  # attempts sent, messages sent, attempts failed, messages failed


def test_one_channel_s_messages_go_over_one_kept_connection(
    personas: Any, channel_factory: Any, webhook: WebhookReceiver
) -> None:
    channel = channel_factory(config={"webhook_url": webhook.url})
    for i in range(20):
        enqueue_now(channel, f"keep:{i}")
    assert delivery.deliver_due("w1") == 20
    for i in range(20, 25):  # and the next claim's messages too
        enqueue_now(channel, f"keep:{i}")
    assert delivery.deliver_due("w1") == 5
    assert len(webhook) == 25 and webhook.connections == 1


def test_a_kept_connection_is_not_used_once_the_allow_list_no_longer_allows_its_host(
    personas: Any, channel_factory: Any, webhook: WebhookReceiver, settings: Any
) -> None:
    channel = channel_factory(config={"webhook_url": webhook.url})
    enqueue_now(channel, "allowed")
    assert delivery.deliver_due("w1") == 1
    # when the operator no longer allows loopback
    settings.OUTBOUND_ALLOW_HOSTS = []
    enqueue_now(channel, "refused")
    assert delivery.deliver_due("w1") == 0
    # then the message is refused (dead at once) and the receiver saw only the first
    message = Message.objects.get(dedup_key__startswith="refused")
    assert message.status == MessageStatus.DEAD and message.last_error_id == errors.REFUSED
    assert set(webhook.keys()) == {"allowed"}
    assert webhook.connections == 1


def test_when_the_lease_runs_short_the_rest_of_a_batch_goes_back_untried(
    personas: Any, channel_factory: Any, webhook: WebhookReceiver, settings: Any
) -> None:
    # a lease shorter than one send's timeouts: only the first message of a batch is sent
    settings.NOTIFY_LEASE_SECONDS = 1
    settings.NOTIFY_SEND_TIMEOUT_SECONDS = 5
    channel = channel_factory(config={"webhook_url": webhook.url})
    for i in range(3):
        enqueue_now(channel, f"short:{i}")
    batch = _one_batch()
    assert delivery.deliver_batch(batch, "w1") == 1
    assert len(webhook) == 1
    rest = Message.objects.exclude(status=MessageStatus.SENT)
    assert rest.count() == 2
    assert all(m.status == MessageStatus.PENDING and m.attempts == 0 for m in rest)
    assert all(m.locked_by == "" and m.next_attempt_at <= timezone.now() for m in rest)
    assert not DeliveryAttempt.objects.filter(message__in=rest).exists()
    # and they are claimed and sent again like any due message
    assert delivery.deliver_batch(_one_batch(), "w1") == 1
    assert delivery.deliver_batch(_one_batch(), "w1") == 1
    assert len(webhook) == 3 and len(set(webhook.keys())) == 3


def test_a_batch_that_waited_past_its_lease_sends_nothing_the_new_claim_sends_once(
    personas: Any, channel_factory: Any, webhook: WebhookReceiver, settings: Any
) -> None:
    channel = channel_factory(config={"webhook_url": webhook.url})
    enqueue_now(channel, "stale")
    waited = _one_batch()
    # the same worker claims it again once the lease ran out (its batch still queued)
    later = timezone.now() + timedelta(seconds=settings.NOTIFY_LEASE_SECONDS + 5)
    [again] = delivery.claim_batches("w1", 1, later)
    assert delivery.deliver_batch(waited, "w1") == 0
    assert delivery.deliver_batch(again, "w1") == 1
    assert set(webhook.keys()) == {"stale"} and len(webhook) == 1
    attempts = list(DeliveryAttempt.objects.order_by("number"))
    assert [(a.number, a.ok, a.error_id) for a in attempts] == [
        (1, False, errors.INTERRUPTED),
        (2, True, ""),
    ]


def test_few_due_messages_are_spread_one_to_a_batch_many_fill_the_batches(
    personas: Any, channel_factory: Any, settings: Any
) -> None:
    settings.NOTIFY_BATCH_SIZE = 4
    channel = channel_factory(config={"webhook_url": "http://127.0.0.1:9/x"})
    for i in range(3):
        enqueue_now(channel, f"few:{i}")
    assert [len(b.items) for b in delivery.claim_batches("w1", 8)] == [1, 1, 1]
    for i in range(20):
        enqueue_now(channel, f"many:{i}")
    assert sorted(len(b.items) for b in delivery.claim_batches("w2", 3)) == [4, 4, 4]


@pytest.mark.parametrize(
    "kind, config",
    [
        (
            "webhook",
            {
                "webhook_url": "http://hook:pa55@127.0.0.1:{port}/hook/path?token=t0k&a=1",
                "webhook_headers": {"X-Auth": "s3cret", "Content-Type": "application/json"},
            },
        ),
        (
            "sms",
            {
                "sms_gateway_url": "http://127.0.0.1:{port}/sms?key=k1",
                "sms_method": "json",
                "sms_phone": "+8613800000000",
                "sms_phone_field": "mobile",
                "sms_message_field": "content",
                "sms_extra": {"sign": "保障", "tpl": "42"},
            },
        ),
        (
            "sms",
            {
                "sms_gateway_url": "http://127.0.0.1:{port}/form",
                "sms_method": "form",
                "sms_phone": "13800000000",
                "sms_extra": {"sign": "保障"},
            },
        ),
    ],
)
def test_the_kept_sender_puts_on_the_wire_what_apprise_did(
    personas: Any, kind: str, config: dict[str, Any]
) -> None:
    """Receivers see no change: the same document or form fields, headers and query as
    Apprise's JSON and form plugins sent for the same channel."""
    with WebhookReceiver() as hook:
        raw = json.loads(json.dumps(config).replace("{port}", str(hook.port)))
        cleaned = kinds.clean_config(kind, raw)
        title, body = ("", "主题\n正文 body") if kind == "sms" else ("主题 subject", "正文 body")
        url = kinds.apprise_url(kind, cleaned, dedup_key="k:1", timeout=5)
        obj = apprise.Apprise()
        assert obj.add(url) and obj.notify(body=body, title=title)
        sender = http_send.build(kind, cleaned, 5, "")
        try:
            assert sender.post(title, body, "k:1") is None
        finally:
            sender.close()
        assert hook.wait_for(2, 5)
        old, new = hook.items
    assert new.data == old.data
    assert list(new.data) == list(old.data)  # in the same order
    for name in ("Content-Type", "Idempotency-Key", "User-Agent", "Authorization", "X-Auth"):
        assert new.headers.get(name) == old.headers.get(name), name


def test_old_glued_errors_become_messages_read_in_either_language() -> None:
    refused = errors.from_old(
        "refused by the outbound policy / 出站策略拒绝: “hooks.local”"
        "解析为 10.0.0.5，是内网（私有）地址，"
        "通知只发往公网地址或平台运营方允许的主机（BAOZHANG_OUTBOUND_ALLOW_HOSTS） / “hooks.local”"
        " resolves to 10.0.0.5, a private address; notifications go only to public addresses or"
        " to hosts the platform operator allows (BAOZHANG_OUTBOUND_ALLOW_HOSTS)"
    )
    assert refused == errors.refused(
        Refusal("hooks.local", __import__("ipaddress").ip_address("10.0.0.5"), Category.PRIVATE)
    )
    localhost = errors.from_old(
        "refused by the outbound policy / 出站策略拒绝: “localhost”"
        "是本机回环地址，通知只发往公网地址或"
        "平台运营方允许的主机（BAOZHANG_OUTBOUND_ALLOW_HOSTS） / “localhost” is a loopback"
        " address; notifications go only to public addresses or to hosts the platform operator"
        " allows (BAOZHANG_OUTBOUND_ALLOW_HOSTS)"
    )
    timeout = errors.from_old("timeout after 30s / 超时\nERROR: no answer")
    interrupted = errors.from_old(
        "interrupted: the worker stopped before finishing this try (lease expired)"
        " / 投递中断：执行该次投递的进程在完成前停止（租约过期）"
    )
    assert errors.from_old("WARNING: Failed to send JSON POST notification: error=500.") is None
    expected = {
        "en": [
            "Refused by the outbound policy: “hooks.local” (resolves to 10.0.0.5) is a private"
            " address; notifications go only to public addresses or to hosts the platform"
            " operator allows (BAOZHANG_OUTBOUND_ALLOW_HOSTS)",
            "Refused by the outbound policy: “localhost” is a loopback address;",
            "No answer within 30 s\nERROR: no answer",
            "Interrupted: the worker stopped",
        ],
        "zh-hans": [
            "出站策略拒绝：“hooks.local”（解析为 10.0.0.5）是内网（私有）地址，通知只发往公网地址或"
            "平台运营方允许的主机（BAOZHANG_OUTBOUND_ALLOW_HOSTS）",
            "出站策略拒绝：“localhost”是本机回环地址，",
            "30 秒内没有应答（超时）\nERROR: no answer",
            "投递中断：",
        ],
    }
    for language, texts in expected.items():
        with translation.override(language):
            for failure, text in zip(
                (refused, localhost, timeout, interrupted), texts, strict=True
            ):
                assert failure is not None
                stored = failure.stored()
                shown = errors.shown(stored["error_id"], stored["error_params"], stored["error"])
                assert shown.startswith(text), (language, shown)


def test_the_message_page_and_the_api_say_a_failed_try_in_the_reader_s_language(
    personas: Any, channel_factory: Any, fast_retries: Any, login: Any, api_client: Any
) -> None:
    with WebhookReceiver(status=500) as bad:
        zh_channel = channel_factory(config={"webhook_url": bad.url}, organisation=personas.org_a)
        en_channel = channel_factory(config={"webhook_url": bad.url}, organisation=personas.org_b)
        zh_message = enqueue_now(zh_channel, "page:zh")
        en_message = enqueue_now(en_channel, "page:en")
        assert delivery.deliver_due("w1") == 0
    for user, message, said, other in (
        (personas.contact_a, zh_message, "接收方返回 HTTP 500", "The receiver answered"),
        (personas.contact_b, en_message, "The receiver answered HTTP 500", "接收方返回"),
    ):
        page = login(user).get(reverse("notify:message_detail", args=[message.pk]))
        text = page.content.decode()
        assert said in text and other not in text
        assert '{"ok": true}' in text.replace("&quot;", '"')  # the receiver's words as given
        answer = api_client(user).get(f"/api/v1/notify/messages/{message.pk}").json()
        assert answer["last_error"].startswith(said)
        assert answer["attempt_log"][0]["error"].startswith(said)


def test_migration_0005_turns_stored_glued_errors_into_messages_and_keeps_the_rest(
    personas: Any, channel_factory: Any
) -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "baozhang.notify.migrations.0005_delivery_errors_in_the_readers_language"
    )
    channel = channel_factory(config={"webhook_url": "http://127.0.0.1:9/x"})
    message = enqueue_now(channel, "old")
    glued = "timeout after 30s / 超时\nERROR: no answer"
    channel_text = "WARNING: Failed to send JSON POST notification: error=500."
    Message.objects.filter(pk=message.pk).update(last_error=glued)
    now = timezone.now()
    old = DeliveryAttempt.objects.create(
        message=message, number=1, started_at=now, worker="w", ok=False, error=glued
    )
    kept = DeliveryAttempt.objects.create(
        message=message, number=2, started_at=now, worker="w", ok=False, error=channel_text
    )
    migration.messages_for_glued_errors(apps, None)
    message.refresh_from_db()
    old.refresh_from_db()
    kept.refresh_from_db()
    assert (old.error_id, old.error) == (errors.TIMED_OUT, "ERROR: no answer")
    assert (message.last_error_id, message.last_error) == (errors.TIMED_OUT, "ERROR: no answer")
    assert (kept.error_id, kept.error) == ("", channel_text)
    with translation.override("en"):
        assert message.last_error_text == "No answer within 30 s\nERROR: no answer"
    with translation.override("zh-hans"):
        assert old.error_text == "30 秒内没有应答（超时）\nERROR: no answer"
        assert kept.error_text == channel_text
