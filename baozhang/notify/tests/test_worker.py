"""The worker loop: many workers share the outbox, a database hiccup does not kill the
loop, and a worker killed with SIGKILL loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection, transaction

from baozhang.jobs import registry
from baozhang.jobs.worker import Worker
from baozhang.notify import delivery, errors, services
from baozhang.notify.models import DeliveryAttempt, Message, MessageStatus
from baozhang.notify.tests.conftest import email_config
from baozhang.notify.tests.receivers import SmtpReceiver, WebhookReceiver

REPO = Path(__file__).resolve().parents[3]


def wait_until(predicate: Any, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.mark.django_db(transaction=True)
def test_two_workers_in_parallel_deliver_each_message_exactly_once(
    personas: Any, channel_factory: Any, settings: Any
) -> None:
    # Batches of two, so that the first worker's claim (2 × concurrency batches) leaves
    # work for the second.
    settings.NOTIFY_BATCH_SIZE = 2
    with WebhookReceiver(delay=0.01) as hook:
        channel = channel_factory(config={"webhook_url": hook.url})
        n = 60
        with transaction.atomic():
            for i in range(n):
                services.enqueue(channel, "test", {"channel_name": str(i)}, f"par:{i}")
        stop = threading.Event()
        workers = [Worker(name=f"w{i}", concurrency=3, poll_interval=0.05) for i in range(2)]
        threads = [
            threading.Thread(target=w.run, args=(stop,), kwargs={"once": True}) for w in workers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        stop.set()
        assert not any(t.is_alive() for t in threads)
        assert hook.keys() == {f"par:{i}": 1 for i in range(n)}
    assert Message.objects.filter(status=MessageStatus.SENT).count() == n
    assert DeliveryAttempt.objects.count() == n
    by_worker = set(DeliveryAttempt.objects.values_list("worker", flat=True))
    assert by_worker == {"w0", "w1"}


@pytest.mark.django_db(transaction=True)
def test_the_loop_survives_a_database_error_and_goes_on(
    channel_factory: Any, monkeypatch: Any
) -> None:
    with WebhookReceiver() as hook:
        channel = channel_factory(config={"webhook_url": hook.url})
        with transaction.atomic():
            services.enqueue(channel, "test", {}, "db:1")
        calls = {"n": 0}
        real_claim = delivery.claim_due

        def flaky_claim(worker: str, limit: int, now: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 1:
                raise OperationalError("could not connect to server: Connection refused")
            return real_claim(worker, limit, now)

        monkeypatch.setitem(
            registry._queues,
            "notify.outbox",
            registry.Queue("notify.outbox", flaky_claim, delivery.deliver),
        )
        stop = threading.Event()
        worker = Worker(name="w", concurrency=1, poll_interval=0.05, error_backoff=(0.1, 1.0))
        thread = threading.Thread(target=worker.run, args=(stop,))
        thread.start()
        try:
            assert hook.wait_for(1, 10)
        finally:
            stop.set()
            thread.join(10)
        assert not thread.is_alive()
        assert calls["n"] >= 2
        assert Message.objects.get(dedup_key="db:1").status == MessageStatus.SENT


def test_periodic_jobs_run_and_a_failing_one_does_not_stop_the_loop(monkeypatch: Any) -> None:
    monkeypatch.setattr(registry, "_periodic", {})
    monkeypatch.setattr(registry, "_queues", {})
    ran: list[str] = []
    registry.register_periodic("ok", lambda: ran.append("ok"), 0.05)
    registry.register_periodic("boom", lambda: 1 / 0, 0.05)
    stop = threading.Event()
    thread = threading.Thread(target=Worker(concurrency=1, poll_interval=0.02).run, args=(stop,))
    thread.start()
    assert wait_until(lambda: len(ran) >= 3, 5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
    with pytest.raises(ValueError):
        registry.register_periodic("bad", lambda: None, 0)


def _start_worker(name: str, db_name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path]),
        "BAOZHANG_TEST_BASE_SETTINGS": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "baozhang.settings"
        ),
        "BAOZHANG_TEST_DB_NAME": db_name,
        "NOTIFY_LEASE_SECONDS": "2",
        "NOTIFY_SEND_TIMEOUT_SECONDS": "5",
        "NOTIFY_BACKOFF_BASE_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "django",
            "worker",
            "--concurrency",
            "4",
            "--name",
            name,
            "--settings",
            "baozhang.notify.tests.subprocess_settings",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.django_db(transaction=True)
def test_sigkilled_worker_restarted_delivers_every_message_and_never_resends_a_sent_one(
    personas: Any, channel_factory: Any
) -> None:
    """The crash test. A worker subprocess is SIGKILLed while messages are pending and
    being sent, then a new one is started.

    What can and cannot be promised: a message the receiver accepted in the instant
    before the worker recorded it as sent (at most the ones in flight at the kill) is
    sent again, with the same dedup key, and a receiver that honours the key (our
    Idempotency-Key / X-Baozhang-Dedup-Key) drops it. Every message that was recorded
    as sent is never sent again, and every message arrives."""
    db_name = str(connection.settings_dict["NAME"])
    if "memory" in db_name or db_name == ":memory:":
        pytest.skip("needs a file or server database shared with the subprocess")
    n = 40
    with SmtpReceiver(delay=0.02) as smtp, WebhookReceiver(delay=0.02) as hook:
        mail = channel_factory("email", email_config(smtp), organisation=personas.org_a)
        web = channel_factory(config={"webhook_url": hook.url}, organisation=personas.org_a)
        with transaction.atomic():
            for i in range(n):
                services.notify_organisation(
                    personas.org_a, "test", {"channel_name": f"#{i}"}, f"crash:{i}"
                )
        expected_mail = {f"crash:{i}:c{mail.pk}" for i in range(n)}
        expected_hook = {f"crash:{i}:c{web.pk}" for i in range(n)}

        # when a worker is killed part-way through
        first = _start_worker("crash-1", db_name)
        try:
            assert wait_until(lambda: len(smtp) + len(hook) >= 20, 60), first.stdout.read1()
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(10)
        sent_before_kill = set(
            Message.objects.filter(status=MessageStatus.SENT).values_list("dedup_key", flat=True)
        )
        unfinished = Message.objects.exclude(status=MessageStatus.SENT).count()
        assert unfinished > 0, "the kill landed after the work was done; raise n"

        # and a new worker is started
        second = _start_worker("crash-2", db_name)
        try:
            done = wait_until(
                lambda: not Message.objects.exclude(status=MessageStatus.SENT).exists(), 60
            )
        finally:
            second.send_signal(signal.SIGTERM)
            out = second.communicate(timeout=30)[0]
        assert done, out
        assert second.returncode == 0, out  # SIGTERM stops it cleanly

        # then every message arrived, and receivers that honour the key saw each once
        mail_keys, hook_keys = smtp.keys(), hook.keys()
        assert set(mail_keys) == expected_mail
        assert set(hook_keys) == expected_hook
        # a message recorded as sent before the kill was never sent again
        for key in sent_before_kill:
            assert (mail_keys | hook_keys)[key] == 1, key
        # repeats are bounded by what the killed worker's senders had sent and not yet
        # recorded: here one message a batch, as a lease of 2 s is shorter than a send's
        # timeouts (delivery.deliver_batch gives the rest of a batch back), so at most
        # what one worker holds at once (2 × concurrency)
        repeats = sum(mail_keys.values()) + sum(hook_keys.values()) - 2 * n
        assert 0 <= repeats <= 8
        # and only a message whose try the kill cut short was sent twice
        interrupted = set(
            DeliveryAttempt.objects.filter(ok=False, error_id=errors.INTERRUPTED).values_list(
                "message__dedup_key", flat=True
            )
        )
        repeated = {k for k, count in (mail_keys | hook_keys).items() if count > 1}
        assert repeated <= interrupted, repeated - interrupted
        # the tries cut short by the kill are in the delivery log as interrupted
        assert DeliveryAttempt.objects.filter(ok=False, error_id=errors.INTERRUPTED).exists()
        assert not DeliveryAttempt.objects.filter(ok__isnull=True).exists()
        print(
            f"crash test: {unfinished} unfinished at the kill, "
            f"{repeats} repeated sends (dropped by key)"
        )
