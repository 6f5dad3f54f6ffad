"""Notify test fixtures. (The SQLite test database is a file, set in settings, so the
crash test's worker subprocess opens the very same database.)"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import transaction

from baozhang.notify import services
from baozhang.notify.models import Channel, ChannelKind
from baozhang.notify.tests.receivers import SmtpReceiver, WebhookReceiver


@pytest.fixture
def fast_retries(settings: Any) -> Any:
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_BACKOFF_BASE_SECONDS = 0
    settings.NOTIFY_BACKOFF_MAX_SECONDS = 0
    settings.NOTIFY_SEND_TIMEOUT_SECONDS = 2
    return settings


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    with SmtpReceiver() as receiver:
        yield receiver


@pytest.fixture
def channel_factory(personas: Any) -> Callable[..., Channel]:
    counter = {"n": 0}

    def make(
        kind: str = ChannelKind.WEBHOOK, config: dict[str, Any] | None = None, **kw: Any
    ) -> Channel:
        counter["n"] += 1
        kw.setdefault("name", f"channel {counter['n']}")
        if "user" not in kw:
            kw.setdefault("organisation", personas.org_a)
        return services.create_channel(personas.admin, kind=kind, config=config or {}, **kw)

    return make


def email_config(smtp: SmtpReceiver, to: str = "noc@example.com") -> dict[str, Any]:
    return {
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp.port,
        "smtp_security": "none",
        "from_address": "baozhang@example.com",
        "to_addresses": to,
    }


def enqueue_now(channel: Channel, key: str, template: str = "test", **ctx: Any) -> Any:
    with transaction.atomic():
        return services.enqueue(channel, template, {"channel_name": channel.name, **ctx}, key)
