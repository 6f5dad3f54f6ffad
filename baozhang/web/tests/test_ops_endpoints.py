"""/healthz, /readyz and /metrics: what load balancers and monitoring systems ask."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from baozhang.desk import services as desk
from baozhang.notify.models import Channel, Message
from baozhang.web import ops

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_readiness() -> None:
    ops._migrations_ok_until[0] = 0.0


def from_address(address: str, **headers: str) -> Client:
    return Client(REMOTE_ADDR=address, headers=headers)


def test_healthz_says_the_process_answers() -> None:
    response = from_address("198.51.100.7").get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_readyz_is_ready_with_the_database_migrated() -> None:
    response = from_address("198.51.100.7").get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")


def test_readyz_is_503_with_retry_after_when_the_database_is_away(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def away(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(ops.connection, "cursor", away)
    response = from_address("198.51.100.7").get("/readyz")
    assert response.status_code == 503
    assert response["Retry-After"] == str(ops.RETRY_AFTER_SECONDS)
    assert "the database is unavailable" in response.content.decode()


def test_readyz_is_503_while_migrations_are_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ops, "schema_problem", lambda: "2 migrations not applied")
    response = from_address("198.51.100.7").get("/readyz")
    assert response.status_code == 503
    assert "2 migrations not applied" in response.content.decode()


def test_metrics_refuse_an_anonymous_client_from_an_address_not_allowed(settings: Any) -> None:
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    settings.METRICS_ALLOW_FROM = ["127.0.0.1", "10.9.0.0/16"]
    assert from_address("203.0.113.9").get("/metrics").status_code == 403
    # nor with a wrong token
    wrong = from_address("203.0.113.9", Authorization="Bearer not-it")
    assert wrong.get("/metrics").status_code == 403
    # but an allowed network, or the token from anywhere, is let in
    assert from_address("10.9.4.2").get("/metrics").status_code == 200
    token = from_address("203.0.113.9", Authorization="Bearer s3cret-metrics-token")
    assert token.get("/metrics").status_code == 200


def test_metrics_without_a_token_set_never_let_a_bearer_in(settings: Any) -> None:
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOW_FROM = ["127.0.0.1"]
    client = from_address("203.0.113.9", Authorization="Bearer ")
    assert client.get("/metrics").status_code == 403


def _sample(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert match, f"{name} missing from:\n{text}"
    return float(match.group(1))


def test_metrics_report_the_outbox_the_desk_and_the_probes(personas: Any, settings: Any) -> None:
    settings.METRICS_ALLOW_FROM = ["127.0.0.1"]
    # Given two open tickets of a customer with a webhook channel (each acknowledgement
    # waits in the outbox), one of them in progress
    Channel.objects.create(
        organisation=personas.org_a,
        name="hook",
        kind="webhook",
        config={"webhook_url": "http://127.0.0.1:9/hook", "webhook_headers": {}},
    )
    first = desk.open_ticket(None, customer=personas.org_a, kind="fault", subject="Down")
    desk.open_ticket(None, customer=personas.org_a, kind="request", subject="New line")
    desk.change_status(personas.agent, first, "open")
    Message.objects.update(created_at=timezone.now() - timezone.timedelta(seconds=90))
    # When the monitoring system scrapes
    response = from_address("127.0.0.1").get("/metrics")
    # Then it reads them in Prometheus text format
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert _sample(text, 'baozhang_outbox_backlog{status="pending"}') == 2
    assert _sample(text, 'baozhang_outbox_backlog{status="sending"}') == 0
    assert 90 <= _sample(text, "baozhang_outbox_oldest_age_seconds") < 600
    assert _sample(text, 'baozhang_open_tickets{status="new"}') == 1
    assert _sample(text, 'baozhang_open_tickets{status="open"}') == 1
    assert _sample(text, "baozhang_probe_lag_seconds") == 0
    assert _sample(text, "baozhang_probe_checks_per_second") == 0
    for family in (
        "baozhang_outbox_backlog",
        "baozhang_outbox_oldest_age_seconds",
        "baozhang_probe_lag_seconds",
        "baozhang_probe_checks_per_second",
        "baozhang_open_tickets",
        "baozhang_worker_last_delivery_age_seconds",
    ):
        assert f"# TYPE {family} gauge" in text


def test_metrics_report_probe_lag_checks_per_second_and_workers(
    personas: Any, settings: Any
) -> None:
    from baozhang.monitoring.models import CheckState, Monitor, ProbeResult
    from baozhang.notify.models import DeliveryAttempt

    settings.METRICS_ALLOW_FROM = ["127.0.0.1"]
    now = timezone.now()
    # Given a monitor checked every 60 s whose last check was 100 s ago, 30 checks stored
    # within the last minute (and heartbeat pings, which are not checks)
    late = Monitor.objects.create(name="web", kind="http", target="https://a.example/")
    late.interval_s = 60
    late.save()
    CheckState.objects.create(monitor=late, last_check_at=now - timezone.timedelta(seconds=100))
    ProbeResult.objects.bulk_create(
        [ProbeResult(monitor=late, region="local", at=now, ok=True) for _ in range(30)]
        + [ProbeResult(monitor=late, region="push", at=now, ok=True) for _ in range(7)]
    )
    # and a worker that started a delivery 5 s ago
    channel = Channel.objects.create(
        organisation=personas.org_a, name="c", kind="webhook", config={}
    )
    message = Message.objects.create(
        dedup_key="m1", channel=channel, template_key="test", subject="s", body="b"
    )
    DeliveryAttempt.objects.create(
        message=message,
        number=1,
        started_at=now - timezone.timedelta(seconds=5),
        worker="host-a:41",
    )
    # When scraped
    text = from_address("127.0.0.1").get("/metrics").content.decode()
    # Then
    assert 39 <= _sample(text, "baozhang_probe_lag_seconds") < 120
    assert _sample(text, "baozhang_probe_checks_per_second") == 0.5
    assert 5 <= _sample(text, 'baozhang_worker_last_delivery_age_seconds{worker="host-a:41"}') < 120


def test_metrics_show_each_running_workers_heartbeat_and_not_a_stopped_one(
    settings: Any,
) -> None:
    from baozhang.jobs import beats

    settings.METRICS_ALLOW_FROM = ["127.0.0.1"]
    now = timezone.now()
    # Given a worker that beat 4 s ago, one silent for 20 minutes (died), and one that
    # stopped as asked
    beats.beat("host-a:1", now - timezone.timedelta(hours=2), now - timezone.timedelta(seconds=4))
    beats.beat("host-b:2", now - timezone.timedelta(hours=2), now - timezone.timedelta(minutes=20))
    beats.beat("host-c:3", now - timezone.timedelta(hours=2), now - timezone.timedelta(seconds=9))
    beats.stopped("host-c:3")
    # When scraped
    text = from_address("127.0.0.1").get("/metrics").content.decode()
    # Then both heartbeats of workers not stopped show their age, and one of them runs
    assert 4 <= _sample(text, 'baozhang_worker_heartbeat_age_seconds{worker="host-a:1"}') < 120
    assert _sample(text, 'baozhang_worker_heartbeat_age_seconds{worker="host-b:2"}') >= 1200
    assert 'worker="host-c:3"' not in text
    assert _sample(text, "baozhang_workers_running") == 1
