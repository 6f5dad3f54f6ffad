"""The mail-in pages speak one language at a time in a real browser (issue 18 §1): the
quarantine list under each status and every message's page, as staff reading English and
as staff reading Chinese, judged as the demo-wide walk judges a page
(web/tests/test_browser_one_language_at_a_time.py): no CJK left on an English page once
the typed data is taken out, no English message of the catalogue on a Chinese one."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from baozhang.accounts.models import User
from baozhang.conftest import sign_in
from baozhang.mailin import intake, parsing
from baozhang.mailin.models import InboundMessage, InboundSource, InboundStatus
from baozhang.web.tests.test_browser_one_language_at_a_time import (
    COMMAND,
    VISIBLE_TEXT,
    ZONE,
    catalogue_phrases,
    chinese_problems,
    english_problems,
    typed_data,
)

from .conftest import NOW, corpus
from .test_intake import _mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _inbound_mail(desk: Any) -> list[InboundMessage]:
    """Mail in every state, with each kind of reason: quarantined (unknown sender, another
    customer's reply), released, ignored, automatic, a duplicate, opened without an
    acknowledgement, and one stored glued before migration 0003 in a form it did not know."""
    unknown = intake.receive(corpus("unknown_sender.eml"), now=NOW)
    released = intake.receive(_mail("请开通账号", sender="li@elsewhere.example"), now=NOW)
    intake.release(desk.personas.agent, released, desk.personas.org_a, now=NOW)
    ignored = intake.receive(corpus("no_from.eml"), now=NOW)
    intake.ignore(desk.personas.agent, ignored, now=NOW)
    opened = intake.receive(_mail("服务器宕机", mid="<once@kehu-a.cn>"), now=NOW)
    duplicate = intake.receive(b"X-Copy: 1\n" + _mail("服务器宕机", mid="<once@kehu-a.cn>"))
    stranger = intake.receive(
        _mail(f"Re: {opened.ticket.reference}", sender="x@evil.example"), now=NOW
    )
    automatic = intake.receive(corpus("list_mail.eml"), now=NOW)
    old = InboundMessage(
        received_at=NOW,
        source=InboundSource.IMAP,
        size=3,
        sha256="0" * 64,
        subject="旧邮件",
        status=InboundStatus.QUARANTINED,
        reason="转交人工处理 / handed over to a person",
    )
    old.raw.save("old.eml", ContentFile(b"old"), save=False)
    old.save()
    return [unknown, released, ignored, opened, duplicate, stranger, automatic, old]


def _typed(messages: list[InboundMessage]) -> list[str]:
    """The demo-wide walk's typed data, and what the mails brought (their headers and
    bodies are the senders' words)."""
    values = set(typed_data())
    for m in InboundMessage.objects.all():
        values.update(v for v in (m.subject, m.from_name, m.from_address) if len(v) >= 2)
        with m.raw.open("rb") as fh:
            mail = parsing.parse(fh.read(), max_attachment_bytes=0)
        values.update(line.strip() for line in mail.text.splitlines() if len(line.strip()) >= 2)
        for ticket in filter(None, [m.ticket]):
            values.update(v for v in (ticket.subject, ticket.description) if len(v) >= 2)
    return sorted(values, key=len, reverse=True)


def _read(page: Any, base: str, path: str) -> str:
    response = page.goto(base + path)
    assert response is not None and response.status == 200, path
    return COMMAND.sub(" ", ZONE.sub(" ", page.evaluate(VISIBLE_TEXT)))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_mail_in_pages_speak_one_language(
    page: Any, live_server: Any, desk: Any, language: str
) -> None:
    messages = _inbound_mail(desk)
    User.objects.filter(pk=desk.personas.agent.pk).update(language=language)
    context = page.context.browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="en-GB" if language == "en" else "zh-CN"
    )
    try:
        walker = context.new_page()
        sign_in(walker, live_server.url, "agent")
        paths = [
            f"{reverse('mailin:quarantine')}?status={status}" for status in InboundStatus.values
        ] + [reverse("mailin:detail", args=[m.pk]) for m in messages]
        pages = [(path, _read(walker, live_server.url, path)) for path in paths]
    finally:
        context.close()

    listed = "\n".join(text for _, text in pages[: len(InboundStatus.values)])
    if language == "en":
        assert "Released by agent. Opened BZ-" in listed
        assert "handed over to a person" in listed
        problems = english_problems(pages, _typed(messages), "agent-en")
    else:
        assert "由 agent 放行。已创建工单 BZ-" in listed
        assert "转交人工处理" in listed
        problems = chinese_problems(pages, _typed(messages), catalogue_phrases(), "agent-zh")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
