"""Staff see the quarantine and release or ignore a message; nobody else sees it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from baozhang.desk.models import Ticket
from baozhang.mailin.models import InboundStatus

from .conftest import corpus
from .reading import reason_reads

pytestmark = pytest.mark.django_db


def _reason_cells(html: str) -> list[str]:
    """The reasons a page shows (each ``data-testid="reason"`` element's text)."""
    return [
        " ".join(cell.split())
        for cell in re.findall(r'data-testid="reason">(.*?)</(?:td|dd)>', html, re.S)
    ]


@pytest.mark.parametrize(
    ("language", "quarantined", "released"),
    [
        ("zh-hans", "发件人未知。", "由 agent 放行。已创建工单 {ref}。"),
        ("en", "Unknown sender.", "Released by agent. Opened {ref}."),
    ],
)
def test_unknown_sender_quarantined_then_released(
    desk: Any, mail_in: Any, login: Any, language: str, quarantined: str, released: str
) -> None:
    _, inbound = mail_in(corpus("unknown_sender.eml"))
    agent = desk.personas.agent
    agent.language = language
    agent.save(update_fields=["language"])
    client = login(agent)

    listing = client.get(reverse("mailin:quarantine")).content.decode()
    assert "请帮忙" in listing and _reason_cells(listing) == [quarantined]
    page = client.get(reverse("mailin:detail", args=[inbound.pk])).content.decode()
    assert "陌生人的来信" in page and _reason_cells(page) == [quarantined]

    response = client.post(
        reverse("mailin:release", args=[inbound.pk]),
        {"customer": desk.personas.org_b.pk},
        follow=True,
    )

    inbound.refresh_from_db()
    ticket = Ticket.objects.get()
    said = released.format(ref=ticket.reference)
    assert (inbound.status, inbound.ticket) == (InboundStatus.PROCESSED, ticket)
    assert [str(m) for m in response.context["messages"]] == [said]
    assert _reason_cells(response.content.decode()) == [said]
    processed = client.get(reverse("mailin:quarantine"), {"status": "processed"})
    assert _reason_cells(processed.content.decode()) == [said]
    assert reason_reads(inbound) == (
        f"由 agent 放行。已创建工单 {ticket.reference}。",
        f"Released by agent. Opened {ticket.reference}.",
    )
    assert inbound.reason == f"Released by agent. Opened {ticket.reference}."
    assert (ticket.customer, ticket.subject, ticket.description) == (
        desk.personas.org_b,
        "请帮忙",
        "陌生人的来信",
    )
    assert ticket.requester == "Stranger <someone@unknown.example>"


def test_ignore(desk: Any, mail_in: Any, login: Any) -> None:
    _, inbound = mail_in(corpus("no_from.eml"))
    client = login(desk.personas.agent)
    client.post(reverse("mailin:ignore", args=[inbound.pk]))
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.IGNORED
    assert reason_reads(inbound) == (
        "发件人未知。由 agent 忽略。",
        "Unknown sender. Ignored by agent.",
    )
    # Released or ignored once is final.
    client.post(reverse("mailin:release", args=[inbound.pk]), {"customer": desk.personas.org_a.pk})
    assert not Ticket.objects.exists()


def test_raw_download_for_staff(desk: Any, mail_in: Any, login: Any) -> None:
    _, inbound = mail_in(corpus("no_from.eml"))
    response = login(desk.personas.agent).get(reverse("mailin:raw", args=[inbound.pk]))
    assert b"".join(response.streaming_content) == corpus("no_from.eml")


@pytest.mark.parametrize("name", ["quarantine", "detail", "raw"])
def test_customer_contacts_get_404(desk: Any, mail_in: Any, login: Any, name: str) -> None:
    _, inbound = mail_in(corpus("no_from.eml"))
    args = [] if name == "quarantine" else [inbound.pk]
    assert (
        login(desk.personas.contact_a).get(reverse(f"mailin:{name}", args=args)).status_code == 404
    )


def test_customer_contact_cannot_release(desk: Any, mail_in: Any, login: Any) -> None:
    _, inbound = mail_in(corpus("no_from.eml"))
    client = login(desk.personas.contact_a)
    response = client.post(
        reverse("mailin:release", args=[inbound.pk]), {"customer": desk.personas.org_a.pk}
    )
    assert response.status_code == 404
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.QUARANTINED


def test_anonymous_is_sent_to_sign_in(client: Any, db: Any) -> None:
    response = client.get(reverse("mailin:quarantine"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("language", "asked", "not_said"),
    [("en", "Choose a customer", "请选择客户"), ("zh-hans", "请选择客户", "Choose a customer")],
)
def test_a_release_refused_is_said_in_the_readers_language(
    desk: Any, mail_in: Any, login: Any, language: str, asked: str, not_said: str
) -> None:
    _, inbound = mail_in(corpus("no_from.eml"))
    agent = desk.personas.agent
    agent.language = language
    agent.save(update_fields=["language"])
    client = login(agent)
    url = reverse("mailin:release", args=[inbound.pk])

    no_customer = client.post(url, {}, follow=True).content.decode()
    client.post(reverse("mailin:ignore", args=[inbound.pk]))
    again = client.post(url, {"customer": desk.personas.org_a.pk}, follow=True)

    assert asked in no_customer and not_said not in no_customer
    [refusal] = [str(m) for m in again.context["messages"]]
    assert (
        refusal
        == {
            "en": "Only quarantined messages are released.",
            "zh-hans": "只能放行隔离的邮件。",
        }[language]
    )


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("zh-hans", "没有发件地址", "no sender address"), ("en", "no sender address", "发件地址")],
)
def test_what_could_not_be_read_is_said_in_the_readers_language(
    desk: Any, mail_in: Any, login: Any, language: str, shown: str, not_shown: str
) -> None:
    _, inbound = mail_in(corpus("no_from.eml"))
    agent = desk.personas.agent
    agent.language = language
    agent.save(update_fields=["language"])
    page = login(agent).get(reverse("mailin:detail", args=[inbound.pk])).content.decode()
    [problems] = re.findall(r'<ul data-testid="defects">(.*?)</ul>', page, re.S)
    assert shown in problems and not_shown not in problems
