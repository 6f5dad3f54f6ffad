"""Which network addresses outgoing requests may reach. No Django, no I/O, no DNS.

The platform sends notifications to addresses its users type (webhooks, SMS gateways,
SMTP servers). Without a rule, a customer could point one at the platform's own loopback
services or its private network and have the server call them (server-side request
forgery). The rule here: an address is allowed when it is *public* (globally routable
unicast), when it lies inside a network the operator allows, or when the host name that
was resolved is one the operator allows by name.

:func:`classify` names the kind of a non-public address (loopback, private, link-local,
shared/CGNAT, unspecified, multicast, documentation, reserved) and returns ``None`` for a
public one. The tables are written out here rather than taken from ``ipaddress``'s
``is_global``, whose lists differ between Python versions (3.11 calls 6to4 and
IPv4-mapped forms of loopback "global"). Addresses that embed an IPv4 address (IPv4-mapped
``::ffff:a.b.c.d``, NAT64 ``64:ff9b::/96``, 6to4 ``2002::/16``) are judged by the IPv4
address they lead to.

:func:`decide` applies the rule to one host name and every address it resolved to: one
refused address refuses the host (a resolver may answer with a public and a private
address and the connection may go to either).
"""

from __future__ import annotations

import enum
import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "AllowList",
    "Category",
    "IPAddress",
    "Refusal",
    "classify",
    "decide",
    "normalise_host",
    "parse_allow_list",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Category(enum.Enum):
    """Kinds of addresses that are not public."""

    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link-local"
    SHARED = "shared"  # 100.64.0.0/10, carrier-grade NAT
    UNSPECIFIED = "unspecified"
    MULTICAST = "multicast"
    DOCUMENTATION = "documentation"
    RESERVED = "reserved"


def _nets(*pairs: tuple[str, Category]) -> tuple[tuple[_Network, Category], ...]:
    return tuple((ipaddress.ip_network(net), cat) for net, cat in pairs)


# IANA IPv4 special-purpose registry, the entries that are not globally reachable.
_V4 = _nets(
    ("0.0.0.0/8", Category.UNSPECIFIED),
    ("10.0.0.0/8", Category.PRIVATE),
    ("100.64.0.0/10", Category.SHARED),
    ("127.0.0.0/8", Category.LOOPBACK),
    ("169.254.0.0/16", Category.LINK_LOCAL),
    ("172.16.0.0/12", Category.PRIVATE),
    ("192.0.0.0/24", Category.RESERVED),
    ("192.0.2.0/24", Category.DOCUMENTATION),
    ("192.88.99.0/24", Category.RESERVED),
    ("192.168.0.0/16", Category.PRIVATE),
    ("198.18.0.0/15", Category.RESERVED),
    ("198.51.100.0/24", Category.DOCUMENTATION),
    ("203.0.113.0/24", Category.DOCUMENTATION),
    ("224.0.0.0/4", Category.MULTICAST),
    ("240.0.0.0/4", Category.RESERVED),
)

# IPv6: only 2000::/3 is global unicast; inside it, these are not globally reachable.
# (The forms that embed IPv4 are unwrapped before this table is consulted.)
_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6 = _nets(
    ("::/128", Category.UNSPECIFIED),
    ("::1/128", Category.LOOPBACK),
    ("64:ff9b:1::/48", Category.PRIVATE),
    ("fc00::/7", Category.PRIVATE),
    ("fe80::/10", Category.LINK_LOCAL),
    ("fec0::/10", Category.PRIVATE),  # deprecated site-local
    ("ff00::/8", Category.MULTICAST),
    ("2001::/23", Category.RESERVED),  # IETF protocol assignments, Teredo among them
    ("2001:db8::/32", Category.DOCUMENTATION),
    ("3fff::/20", Category.DOCUMENTATION),
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def _embedded_v4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address leads to: IPv4-mapped, NAT64 (well-known
    prefix) or 6to4."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return None


def classify(address: IPAddress) -> Category | None:
    """The kind of a non-public address, or None when `address` is public."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_v4(address)
        if inner is not None:
            return classify(inner)
        for net, cat in _V6:
            if address in net:
                return cat
        return None if address in _V6_GLOBAL_UNICAST else Category.RESERVED
    for net, cat in _V4:
        if address in net:
            return cat
    return None


_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def normalise_host(host: str) -> str:
    """A host name as compared: lower-case, without a trailing dot or IPv6 brackets."""
    host = host.strip().lower().rstrip(".")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def _is_host_name(name: str) -> bool:
    labels = name.split(".")
    return len(name) <= 253 and all(_LABEL_RE.match(label) for label in labels)


@dataclass(frozen=True)
class AllowList:
    """What the operator allows besides public addresses: networks (CIDR or single
    addresses) and host names (exact, or ``*.example.com`` for any name below it)."""

    networks: tuple[_Network, ...] = ()
    names: frozenset[str] = frozenset()
    suffixes: tuple[str, ...] = ()

    def allows_name(self, host: str) -> bool:
        name = normalise_host(host)
        return name in self.names or any(name.endswith(s) for s in self.suffixes)

    def allows_address(self, address: IPAddress) -> bool:
        candidates: list[IPAddress] = [address]
        if isinstance(address, ipaddress.IPv6Address):
            inner = _embedded_v4(address)
            if inner is not None:
                candidates.append(inner)
        return any(
            a in net for a in candidates for net in self.networks if a.version == net.version
        )


def parse_allow_list(entries: Iterable[str]) -> AllowList:
    """An AllowList from entries such as "10.1.2.0/24", "192.168.1.5", "::1",
    "hooks.internal.example" or "*.corp.example". Empty entries are skipped. Raises
    ValueError naming the first entry that is neither."""
    networks: list[_Network] = []
    names: set[str] = set()
    suffixes: list[str] = []
    for raw in entries:
        entry = normalise_host(raw)
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
            continue
        except ValueError:
            pass
        if entry.startswith("*.") and _is_host_name(entry[2:]):
            suffixes.append(entry[1:])
        elif _is_host_name(entry):
            names.add(entry)
        else:
            raise ValueError(f"not a host name, address or network: {raw!r}")
    return AllowList(tuple(networks), frozenset(names), tuple(suffixes))


@dataclass(frozen=True)
class Refusal:
    """Why a host is refused: the address it resolved to (None for a name that is
    loopback by definition, such as ``localhost``) and that address's kind."""

    host: str
    address: IPAddress | None
    category: Category


def _loopback_name(name: str) -> bool:
    # RFC 6761: "localhost" and every name below it are loopback, whatever a resolver says.
    return name == "localhost" or name.endswith(".localhost")


def decide(host: str, addresses: Sequence[IPAddress], allow: AllowList) -> Refusal | None:
    """None when a connection to `host`, resolved to `addresses`, is allowed; else the
    first reason to refuse it. A host the operator allows by name is allowed whatever it
    resolves to; otherwise every address must be public or inside an allowed network."""
    if allow.allows_name(host):
        return None
    name = normalise_host(host)
    if _loopback_name(name):
        # Only as far as the operator allows the loopback addresses it resolved to.
        for address in addresses:
            if not allow.allows_address(address):
                return Refusal(host, address, Category.LOOPBACK)
        return None if addresses else Refusal(host, None, Category.LOOPBACK)
    for address in addresses:
        if allow.allows_address(address):
            continue
        category = classify(address)
        if category is not None:
            return Refusal(host, address, category)
    return None
