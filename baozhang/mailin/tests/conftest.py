from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from baozhang.accounts.models import User
from baozhang.mailin.models import InboundMessage
from baozhang.notify import services as notify

CORPUS = Path(__file__).parent / "corpus"
CST = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 10, 12, 10, 0, tzinfo=CST)


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@dataclass
class Desk:
    personas: Any
    channel: Any  # the e-mail notification channel of customer A


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def desk(personas: Any) -> Desk:
    """Customer A owns kehu-a.cn and has an e-mail channel; zhangsan@kehu-a.cn is its
    contact."""
    personas.org_a.email_domains = "kehu-a.cn, kehu-a.com.cn"
    personas.org_a.save(update_fields=["email_domains"])
    User.objects.filter(pk=personas.contact_a.pk).update(email="zhangsan@kehu-a.cn")
    personas.contact_a.refresh_from_db()
    channel = notify.create_channel(
        personas.admin,
        name="客户甲邮件",
        kind="email",
        organisation=personas.org_a,
        config={
            "smtp_host": "127.0.0.1",
            "smtp_port": 2525,
            "smtp_security": "none",
            "from_address": "support@baozhang.example",
            "to_addresses": "noc@kehu-a.cn",
        },
    )
    return Desk(personas, channel)


@pytest.fixture
def mail_in(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[bytes], tuple[int, InboundMessage | None]]:
    """Run `baozhang mail_in` with `raw` on standard input; returns (exit status, the newest
    inbound message)."""

    def run(raw: bytes) -> tuple[int, InboundMessage | None]:
        stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="ascii")
        monkeypatch.setattr(sys, "stdin", stdin)
        status = 0
        try:
            call_command("mail_in", stdout=io.StringIO(), stderr=io.StringIO())
        except SystemExit as exc:
            status = int(exc.code or 0)
        return status, InboundMessage.objects.order_by("-id").first()

    return run
