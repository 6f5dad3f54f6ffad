"""An outbox message with its own recipient and extra mail headers (e-mail only)."""

from __future__ import annotations

from typing import Any

import apprise
import pytest
from django.db import transaction

from baozhang.notify import services
from baozhang.notify.channels import apprise_url
from baozhang.notify.delivery import deliver_due
from baozhang.notify.models import Message, MessageStatus
from baozhang.notify.tests.conftest import email_config
from baozhang.notify.tests.receivers import SmtpReceiver

pytestmark = pytest.mark.django_db

HEADERS = {
    "Auto-Submitted": "auto-replied",
    "In-Reply-To": "<in-1@kehu-a.cn>",
    "References": "<in-1@kehu-a.cn> <BZ-000001.ack@baozhang.invalid>",
}


def _enqueue(channel: Any, key: str, **kw: Any) -> Message | None:
    with transaction.atomic():
        return services.enqueue(channel, "test", {"channel_name": channel.name}, key, **kw)


def test_recipient_and_headers_reach_the_smtp_server(
    channel_factory: Any, smtp: SmtpReceiver
) -> None:
    channel = channel_factory("email", email_config(smtp, "noc@example.com"))
    message = _enqueue(channel, "ack:1", recipient="zhangsan@kehu-a.cn", headers=HEADERS)
    assert (message.recipient, message.headers) == ("zhangsan@kehu-a.cn", HEADERS)
    assert deliver_due("w1") == 1
    assert smtp.wait_for(1, 5)
    received = smtp.items[0].data
    assert smtp.items[0].headers["to"] == "zhangsan@kehu-a.cn"  # not the channel's noc@
    for name, value in HEADERS.items():
        assert received[name] == value
    assert received["X-Baozhang-Dedup-Key"] == "ack:1"
    assert len(received.get_all("Message-ID")) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_existing_calls_keep_the_channels_recipients(
    channel_factory: Any, smtp: SmtpReceiver
) -> None:
    channel = channel_factory("email", email_config(smtp, "noc@example.com"))
    message = _enqueue(channel, "plain:1")
    assert (message.recipient, message.headers) == ("", {})
    assert deliver_due("w1") == 1
    assert smtp.wait_for(1, 5)
    assert smtp.items[0].headers["to"] == "noc@example.com"
    assert smtp.items[0].data["Auto-Submitted"] is None


@pytest.mark.parametrize("kw", [{"recipient": "a@b.cn"}, {"headers": {"X-A": "1"}}])
def test_other_kinds_refuse_recipient_and_headers(channel_factory: Any, kw: Any) -> None:
    channel = channel_factory("webhook", {"webhook_url": "http://127.0.0.1:9/hook"})
    with pytest.raises(ValueError, match=r"只有邮件通道.* / only e-mail channels"):
        _enqueue(channel, "x:1", **kw)
    with pytest.raises(ValueError, match="only e-mail channels"):
        apprise_url("webhook", channel.config, **kw)
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("kw", "text"),
    [
        ({"recipient": "not an address"}, "recipient address"),
        ({"headers": {"Message-ID": "<mine@x>"}}, "put an own Message-ID into References"),
        ({"headers": {"Bcc": "spy@evil.example"}}, "is set by the sender"),
        ({"headers": {"X-A": "1\r\nBcc: spy@evil.example"}}, "must be one line"),
        ({"headers": {"Bad Name": "1"}}, "is invalid"),
    ],
)
def test_bad_recipient_or_headers_are_refused(
    channel_factory: Any, smtp: SmtpReceiver, kw: Any, text: str
) -> None:
    channel = channel_factory("email", email_config(smtp))
    with pytest.raises(ValueError, match=text):
        _enqueue(channel, "bad:1", **kw)
    assert not Message.objects.exists()


def test_apprise_takes_the_headers_and_the_recipient() -> None:
    config = {
        "smtp_host": "127.0.0.1",
        "smtp_port": 25,
        "smtp_security": "none",
        "smtp_username": "u",
        "smtp_password": "s3cret-pass",
        "from_address": "support@example.com",
        "to_addresses": ["noc@example.com"],
    }
    url = apprise_url("email", config, dedup_key="k:1", recipient="a@kehu-a.cn", headers=HEADERS)
    plugin = apprise.Apprise.instantiate(url)
    assert plugin is not None
    assert plugin.headers == {**HEADERS, "X-Baozhang-Dedup-Key": "k:1"}
    assert [t for t in plugin.targets] == [(False, "a@kehu-a.cn")]
