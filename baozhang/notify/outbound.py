"""Where notifications may go: the operator's outbound policy (settings.OUTBOUND_ALLOW_HOSTS,
from BAOZHANG_OUTBOUND_ALLOW_HOSTS) applied when a channel is saved and on every connection
a send makes.

When saved: `check_host` resolves a channel's host and refuses one that leads to a
loopback, private, link-local or other non-public address (baozhang.core.outbound) unless
the operator allows it. A name that does not resolve is accepted; the send checks again.

When sent: every send runs inside `guarded()`. While a guard is active in the current
context (Apprise carries the context into its worker threads), the process's
`socket.getaddrinfo` answers with the addresses it checked or refuses the lookup; both
urllib3 (webhooks, SMS gateways, WeCom, DingTalk, Feishu) and smtplib (e-mail) connect
only to the addresses getaddrinfo gave them, so the connection goes to exactly the
address that was checked (no gap for a DNS answer that changes between check and
connect), and every connection of a send is checked: a redirect's (neither Apprise nor
notify.http_send follows one) and a proxy's alike. A webhook's or SMS gateway's kept
connection (http_send) was checked when it was opened and goes on to that address; its
sender is rebuilt when the allow list changes. Outside a guard, lookups are untouched (the
probe engine monitors private hosts on purpose).

With an HTTP proxy in the environment (HTTPS_PROXY …) the proxy's host must be allowed,
and the proxy then looks up the destination itself; name the proxy in NO_PROXY for
destinations that must be checked here.
"""

from __future__ import annotations

import contextvars
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from ipaddress import ip_address
from typing import Any

from django.conf import settings

from baozhang.core.outbound import AllowList, Category, IPAddress, Refusal, decide, parse_allow_list

log = logging.getLogger(__name__)

SETTING_HINT = "BAOZHANG_OUTBOUND_ALLOW_HOSTS"

_LABELS: dict[Category, tuple[str, str]] = {
    Category.LOOPBACK: ("本机回环地址", "a loopback address"),
    Category.PRIVATE: ("内网（私有）地址", "a private address"),
    Category.LINK_LOCAL: ("链路本地地址", "a link-local address"),
    Category.SHARED: ("运营商级 NAT 共享地址", "a shared (carrier-grade NAT) address"),
    Category.UNSPECIFIED: ("未指定地址", "an unspecified address"),
    Category.MULTICAST: ("组播地址", "a multicast address"),
    Category.DOCUMENTATION: ("文档示例地址", "a documentation address"),
    Category.RESERVED: ("保留地址", "a reserved address"),
}


class OutboundRefused(socket.gaierror):
    """A lookup refused by the outbound policy. A gaierror, so that HTTP and SMTP clients
    treat it as a failed lookup and never connect."""

    def __init__(self, refusal: Refusal) -> None:
        self.refusal = refusal
        super().__init__(socket.EAI_NONAME, refusal_text(refusal))


def refusal_text(refusal: Refusal) -> str:
    """Why a host is refused, in both languages, naming the host, the address and what
    to do; no secret (only the host of a URL) is in it."""
    zh, en = _LABELS[refusal.category]
    where_zh = f"解析为 {refusal.address}，" if refusal.address is not None else ""
    where_en = f" resolves to {refusal.address}," if refusal.address is not None else " is"
    return (
        f"“{refusal.host}”{where_zh}是{zh}，通知只发往公网地址或平台运营方允许的主机"
        f"（{SETTING_HINT}） / “{refusal.host}”{where_en} {en}; notifications go only to"
        f" public addresses or to hosts the platform operator allows ({SETTING_HINT})"
    )


def configured_entries() -> tuple[str, ...]:
    return tuple(getattr(settings, "OUTBOUND_ALLOW_HOSTS", ()) or ())


@lru_cache(maxsize=8)
def _parse(entries: tuple[str, ...]) -> AllowList:
    valid = []
    for entry in entries:
        try:
            parse_allow_list([entry])
        except ValueError as exc:
            log.error("BAOZHANG_OUTBOUND_ALLOW_HOSTS: %s (ignored, allows nothing)", exc)
        else:
            valid.append(entry)
    return parse_allow_list(valid)


def allow_list() -> AllowList:
    """The operator's allow list (settings.OUTBOUND_ALLOW_HOSTS). An entry that is neither
    a host name nor an address or network allows nothing (it is logged, and the system
    check `notify.E001` stops start-up on it)."""
    return _parse(configured_entries())


# The system resolver, captured before the guard replaces socket.getaddrinfo.
_system_getaddrinfo = socket.getaddrinfo


def _resolve(
    host: str, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
) -> Any:
    return _system_getaddrinfo(host, port, family, type, proto, flags)


def _addresses(infos: Any) -> list[IPAddress]:
    out = []
    for info in infos:
        sockaddr = info[4]
        if info[0] in (socket.AF_INET, socket.AF_INET6):
            out.append(ip_address(str(sockaddr[0]).split("%", 1)[0]))
    return out


def check_host(host: str) -> Refusal | None:
    """Why the policy refuses `host` (a name or an address), or None. A name that does not
    resolve now is not refused: the send checks it again when it connects."""
    try:
        infos = _resolve(host.strip("[]"), None, 0, socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        infos = []
    return decide(host, _addresses(infos), allow_list())


@dataclass
class Guard:
    """The refusals met during one guarded send."""

    allow: AllowList
    refusals: list[Refusal] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


_ACTIVE: contextvars.ContextVar[Guard | None] = contextvars.ContextVar(
    "baozhang_outbound_guard", default=None
)
_install_lock = threading.Lock()


def _guarded_getaddrinfo(
    host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0
) -> Any:
    guard = _ACTIVE.get()
    if guard is None:
        return _system_getaddrinfo(host, port, family, type, proto, flags)
    name = host.decode("idna") if isinstance(host, bytes) else str(host or "")
    infos = _resolve(host, port, family, type, proto, flags) if name else []
    refusal = decide(name or "localhost", _addresses(infos), guard.allow)
    if refusal is not None:
        with guard.lock:
            guard.refusals.append(refusal)
        raise OutboundRefused(refusal)
    return infos


def install() -> None:
    """Route the process's name lookups through the guard (idempotent; a no-op outside
    guarded sends)."""
    with _install_lock:
        if socket.getaddrinfo is not _guarded_getaddrinfo:
            socket.getaddrinfo = _guarded_getaddrinfo


@contextmanager
def guarded() -> Iterator[Guard]:
    """Apply the outbound policy to every connection opened in this context (and in
    threads started with a copy of it) until the block ends."""
    install()
    guard = Guard(allow_list())
    token = _ACTIVE.set(guard)
    try:
        yield guard
    finally:
        _ACTIVE.reset(token)
