"""Why a delivery attempt failed, stored so that each reader reads it in their own language.

A failure has two parts: what the platform says about it (a message of the catalogue and
its parameters, e.g. "Refused by the outbound policy: …" or "The receiver answered HTTP
%(status)s", stored as `error_id` + `error_params` like an event's summary,
events.text.said) and what the channel itself said (a response body, an SMTP reply, an
exception's text), kept as given in `error`. Either may be empty. Rows written before
issue 18 glued the platform's part in both languages ("refused by the outbound policy /
出站策略拒绝: …"); migration 0005 turned the known forms into messages, and what is left is
shown as it was stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import ip_address
from typing import Any

from django.utils.translation import gettext_noop

from baozhang.core.outbound import Category, Refusal
from baozhang.events.text import Said, render, said

ERROR_MAX = 4000

# The platform's messages (msgids of the catalogue; gettext_noop marks them for it).
REFUSED = gettext_noop(
    "Refused by the outbound policy: “%(host)s”%(where)s is %(category)s; notifications go"
    " only to public addresses or to hosts the platform operator allows (%(setting)s)"
)
RESOLVES_TO = gettext_noop(" (resolves to %(address)s)")
INTERRUPTED = gettext_noop(
    "Interrupted: the worker stopped before finishing this try (lease expired)"
)
SETTINGS_REJECTED = gettext_noop("The channel's settings were not accepted by the sender")
SETTINGS_INCOMPLETE = gettext_noop("The channel's settings are incomplete")
TIMED_OUT = gettext_noop("No answer within %(seconds)s s")
HTTP_STATUS = gettext_noop("The receiver answered HTTP %(status)s")
CONNECTION_FAILED = gettext_noop("Could not connect to the receiver")
SENDER_CRASHED = gettext_noop("The sender failed unexpectedly")

# A category of address, said (core.outbound.Category → its label's msgid).
CATEGORY_LABELS: dict[Category, str] = {
    Category.LOOPBACK: gettext_noop("a loopback address"),
    Category.PRIVATE: gettext_noop("a private address"),
    Category.LINK_LOCAL: gettext_noop("a link-local address"),
    Category.SHARED: gettext_noop("a shared (carrier-grade NAT) address"),
    Category.UNSPECIFIED: gettext_noop("an unspecified address"),
    Category.MULTICAST: gettext_noop("a multicast address"),
    Category.DOCUMENTATION: gettext_noop("a documentation address"),
    Category.RESERVED: gettext_noop("a reserved address"),
}
SETTING_HINT = "BAOZHANG_OUTBOUND_ALLOW_HOSTS"


@dataclass(frozen=True)
class Failure:
    """Why one send failed: the platform's message (or None) and the channel's own text.
    `final`: retrying cannot help (the outbound policy refused the destination)."""

    reason: Said | None = None
    detail: str = ""
    final: bool = False

    def stored(self) -> dict[str, Any]:
        """The DeliveryAttempt fields (error_id, error_params, error)."""
        return {
            "error_id": self.reason.msgid if self.reason else "",
            "error_params": self.reason.stored_params() if self.reason else None,
            "error": self.detail[:ERROR_MAX],
        }

    def stored_on_message(self) -> dict[str, Any]:
        """The same, as the Message's last_error fields."""
        s = self.stored()
        return {
            "last_error_id": s["error_id"],
            "last_error_params": s["error_params"],
            "last_error": s["error"],
        }

    def said(self, detail_max: int = 400) -> Said | str:
        """The failure as one message (for an event's summary or a notice's text)."""
        detail = self.detail[:detail_max]
        if self.reason is None:
            return detail
        if not detail:
            return self.reason
        return said("%(reason)s: %(detail)s", reason=self.reason, detail=detail)


def refused(refusal: Refusal) -> Failure:
    """The outbound policy refused a destination (never retried)."""
    where = said(RESOLVES_TO, address=str(refusal.address)) if refusal.address else ""
    reason = said(
        REFUSED,
        host=refusal.host,
        where=where,
        category=said(CATEGORY_LABELS[refusal.category]),
        setting=SETTING_HINT,
    )
    return Failure(reason, final=True)


def shown(error_id: str, params: dict[str, Any] | None, detail: str) -> str:
    """A stored failure in the active language: the platform's message, then the
    channel's own text as given."""
    if not error_id:
        return detail
    text = render(error_id, params)
    return f"{text}\n{detail}" if detail else text


# -- rows written before issue 18 (migration 0005) ----------------------------------------------

_OLD_REFUSED = re.compile(
    r"^refused by the outbound policy / 出站策略拒绝: “(?P<host>[^”]*)”"
    r"(?:解析为 (?P<address>[^，]+)，)?是[^，]*，通知只发往.*? / “[^”]*”"
    r"(?: resolves to [^,]+,| is) (?P<category>.+?); notifications go only to public"
    r" addresses or to hosts the platform operator allows \([A-Z_]+\)$",
    re.S,
)
_OLD_INTERRUPTED = (
    "interrupted: the worker stopped before finishing this try (lease expired)"
    " / 投递中断：执行该次投递的进程在完成前停止（租约过期）"
)
_OLD_REJECTED = "Apprise rejected the channel settings / Apprise 不接受该通道设置"
_OLD_INCOMPLETE = "channel settings incomplete / 通道设置不完整: "
_OLD_TIMEOUT = re.compile(r"^timeout after (?P<seconds>[0-9.]+)s / 超时\n?(?P<rest>.*)$", re.S)


def from_old(text: str) -> Failure | None:
    """The failure a text stored before issue 18 stands for, when it has a known glued
    form; None for any other text (the channel's own words, kept)."""
    match = _OLD_REFUSED.match(text)
    if match:
        by_label = {label: cat for cat, label in CATEGORY_LABELS.items()}
        category = by_label.get(match["category"])
        if category is not None:
            address = match["address"]
            try:
                parsed = ip_address(address) if address else None
            except ValueError:
                parsed = None
            return refused(Refusal(match["host"], parsed, category))
    if text == _OLD_INTERRUPTED:
        return Failure(said(INTERRUPTED))
    if text == _OLD_REJECTED:
        return Failure(said(SETTINGS_REJECTED))
    if text.startswith(_OLD_INCOMPLETE):
        return Failure(said(SETTINGS_INCOMPLETE), text[len(_OLD_INCOMPLETE) :])
    match = _OLD_TIMEOUT.match(text)
    if match:
        return Failure(said(TIMED_OUT, seconds=match["seconds"]), match["rest"])
    return None
