"""Which addresses outgoing notifications may reach: every non-public form is named,
IPv4 hidden inside IPv6 is unwrapped, and the operator's allow list opens exactly what
it names."""

from __future__ import annotations

from ipaddress import ip_address

import pytest

from baozhang.core.outbound import Category, classify, decide, parse_allow_list

NOT_PUBLIC = [
    ("127.0.0.1", Category.LOOPBACK),
    ("127.255.0.9", Category.LOOPBACK),
    ("::1", Category.LOOPBACK),
    ("10.1.2.3", Category.PRIVATE),
    ("172.16.0.1", Category.PRIVATE),
    ("172.31.255.254", Category.PRIVATE),
    ("192.168.1.1", Category.PRIVATE),
    ("fc00::1", Category.PRIVATE),
    ("fd12:3456::1", Category.PRIVATE),
    ("fec0::1", Category.PRIVATE),
    ("169.254.169.254", Category.LINK_LOCAL),
    ("fe80::1", Category.LINK_LOCAL),
    ("100.64.0.1", Category.SHARED),
    ("100.127.255.254", Category.SHARED),
    ("0.0.0.0", Category.UNSPECIFIED),
    ("::", Category.UNSPECIFIED),
    ("224.0.0.1", Category.MULTICAST),
    ("239.255.255.250", Category.MULTICAST),
    ("ff02::1", Category.MULTICAST),
    ("192.0.2.10", Category.DOCUMENTATION),
    ("2001:db8::1", Category.DOCUMENTATION),
    ("240.0.0.1", Category.RESERVED),
    ("255.255.255.255", Category.RESERVED),
    ("198.18.0.1", Category.RESERVED),
    ("2001::1", Category.RESERVED),  # Teredo
    ("::127.0.0.1", Category.RESERVED),  # IPv4-compatible, deprecated
    ("100::1", Category.RESERVED),
    # IPv4 inside IPv6 is judged by the IPv4 address it leads to.
    ("::ffff:127.0.0.1", Category.LOOPBACK),
    ("::ffff:10.0.0.1", Category.PRIVATE),
    ("64:ff9b::7f00:1", Category.LOOPBACK),  # NAT64 of 127.0.0.1
    ("2002:7f00:1::", Category.LOOPBACK),  # 6to4 of 127.0.0.1
    ("2002:a9fe:a9fe::1", Category.LINK_LOCAL),  # 6to4 of 169.254.169.254
]
PUBLIC = [
    "8.8.8.8",
    "1.1.1.1",
    "101.6.6.6",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
]


@pytest.mark.parametrize(("text", "category"), NOT_PUBLIC)
def test_every_non_public_address_is_named(text: str, category: Category) -> None:
    # Given an address that is not globally reachable, when it is classified,
    # then its kind is named.
    assert classify(ip_address(text)) is category


@pytest.mark.parametrize("text", PUBLIC)
def test_public_addresses_have_no_category(text: str) -> None:
    assert classify(ip_address(text)) is None


def test_by_default_a_host_with_one_private_address_among_public_ones_is_refused() -> None:
    # Given a name that resolves to a public and a loopback address (the connection may
    # go to either), when it is decided with an empty allow list, then it is refused.
    refusal = decide(
        "hooks.example", [ip_address("8.8.8.8"), ip_address("127.0.0.1")], parse_allow_list([])
    )
    assert refusal is not None
    assert (refusal.address, refusal.category) == (ip_address("127.0.0.1"), Category.LOOPBACK)
    assert decide("hooks.example", [ip_address("8.8.8.8")], parse_allow_list([])) is None


def test_localhost_names_are_loopback_whatever_they_resolve_to() -> None:
    allow = parse_allow_list([])
    for name in ("localhost", "LOCALHOST.", "api.localhost"):
        refusal = decide(name, [ip_address("8.8.8.8")], allow)
        assert refusal is not None and refusal.category is Category.LOOPBACK, name
    # Allowing the loopback network allows localhost too, as far as it resolves there.
    loopback = parse_allow_list(["127.0.0.0/8"])
    assert decide("localhost", [ip_address("127.0.0.1")], loopback) is None
    assert decide("localhost", [ip_address("8.8.8.8")], loopback) is not None


def test_the_allow_list_opens_networks_addresses_and_names_it_lists_and_nothing_else() -> None:
    # Given an operator's allow list of a network, one address and two kinds of names,
    allow = parse_allow_list(
        [" 10.20.0.0/16", "192.168.1.5", "::1", "Hooks.Internal.Example.", "*.corp.example", ""]
    )
    # when hosts are decided, then exactly those pass.
    assert decide("a.example", [ip_address("10.20.3.4")], allow) is None
    assert decide("a.example", [ip_address("::ffff:10.20.3.4")], allow) is None
    assert decide("a.example", [ip_address("192.168.1.5")], allow) is None
    assert decide("a.example", [ip_address("::1")], allow) is None
    assert decide("hooks.internal.example", [ip_address("10.9.9.9")], allow) is None
    assert decide("sms.corp.example", [ip_address("172.16.0.9")], allow) is None
    assert decide("a.example", [ip_address("10.21.0.1")], allow) is not None
    assert decide("a.example", [ip_address("192.168.1.6")], allow) is not None
    assert decide("a.example", [ip_address("127.0.0.1")], allow) is not None
    assert decide("corp.example", [ip_address("172.16.0.9")], allow) is not None
    assert decide("xhooks.internal.example", [ip_address("10.9.9.9")], allow) is not None


@pytest.mark.parametrize("entry", ["http://x.example/", "a b", "-bad.example", "10.0.0.0/33"])
def test_an_allow_list_entry_that_is_neither_name_nor_network_is_an_error(entry: str) -> None:
    with pytest.raises(ValueError, match="not a host name"):
        parse_allow_list([entry])
