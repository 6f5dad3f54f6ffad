"""TCP, ICMP and DNS checks against loopback: successes and the failures a user sees."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import icmplib
import pytest

from baozhang.monitoring.probe import checks
from baozhang.monitoring.probe.checks import CheckContext, run_check
from baozhang.monitoring.probe.specs import MonitorSpec
from baozhang.monitoring.probe.tests.helpers import closed_port, dns_server, raw_server

Result = tuple[bool, float | None, str]


def spec(kind: str, target: str, **kw: Any) -> MonitorSpec:
    kw.setdefault("timeout", 2.0)
    return MonitorSpec(id=1, kind=kind, target=target, interval=60.0, **kw)


def run(*specs: MonitorSpec) -> list[Result]:
    async def main() -> list[Result]:
        async with CheckContext() as ctx:
            return [await run_check(s, ctx) for s in specs]

    return asyncio.run(main())


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


async def _hello(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


def test_tcp_connects_and_refused() -> None:
    async def main() -> list[Result]:
        async with raw_server(_hello) as port, CheckContext() as ctx:
            return [
                await run_check(spec("tcp", f"127.0.0.1:{port}"), ctx),
                await run_check(spec("tcp", f"localhost:{port}", latency_limit_ms=60_000), ctx),
                await run_check(spec("tcp", f"127.0.0.1:{closed_port()}"), ctx),
            ]

    ok, by_name, refused = asyncio.run(main())
    assert ok[0] is True and ok[2] == "" and ok[1] is not None
    assert by_name[0] is True
    assert refused == (False, None, "connection refused / 连接被拒绝")


@pytest.mark.skipif(not _ipv6(), reason="no IPv6 loopback here")
def test_tcp_over_ipv6() -> None:
    async def main() -> Result:
        async with raw_server(_hello, host="::1") as port, CheckContext() as ctx:
            return await run_check(spec("tcp", f"[::1]:{port}"), ctx)

    assert asyncio.run(main())[0] is True


def test_icmp_ping_loopback_or_says_how_to_allow_it() -> None:
    (result,) = run(spec("icmp", "127.0.0.1"))
    if result[0]:
        assert result[1] is not None and result[2] == ""
    else:  # neither unprivileged ping nor CAP_NET_RAW here
        assert result[2] == checks.UNPRIVILEGED_PING_HELP


def test_icmp_without_permission_explains_both_fixes(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    async def refused(address: str, **kw: Any) -> icmplib.Host:
        calls.append(kw["privileged"])
        raise icmplib.SocketPermissionError(kw["privileged"])

    monkeypatch.setattr(icmplib, "async_ping", refused)
    ok, latency, error = run(spec("icmp", "192.0.2.1"))[0]
    assert (ok, latency) == (False, None)
    assert calls == [False, True]  # unprivileged first, then raw sockets
    assert 'sysctl -w net.ipv4.ping_group_range="0 2147483647"' in error
    assert "CAP_NET_RAW" in error
    chinese = error.partition(" / ")[2]
    assert "sysctl" in chinese and "权限" in chinese
    assert len(error) <= 300


def test_icmp_falls_back_to_raw_sockets_and_remembers(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []

    async def raw_only(address: str, **kw: Any) -> icmplib.Host:
        calls.append(kw["privileged"])
        if not kw["privileged"]:
            raise icmplib.SocketPermissionError(False)
        return icmplib.Host(address, 1, [1.5] if address == "192.0.2.1" else [])

    monkeypatch.setattr(icmplib, "async_ping", raw_only)
    alive, silent = run(spec("icmp", "192.0.2.1"), spec("icmp", "192.0.2.2"))
    assert alive == (True, 1.5, "")
    assert silent == (False, None, "no ping reply / ping 无应答")
    assert calls == [False, True, True]


ZONE = {
    ("example.test.", "A"): ["192.0.2.1", "192.0.2.2"],
    ("example.test.", "AAAA"): ["2001:db8::1"],
    ("example.test.", "MX"): ["10 mail.example.test."],
    ("example.test.", "TXT"): ['"v=spf1 -all"'],
}


def dns_results(*specs_for: Any) -> list[Result]:
    async def main() -> list[Result]:
        async with dns_server(ZONE) as server, CheckContext() as ctx:
            return [await run_check(f(server), ctx) for f in specs_for]

    return asyncio.run(main())


def test_dns_answers_that_match() -> None:
    results = dns_results(
        lambda s: spec("dns", "example.test", dns_server=s),
        lambda s: spec(
            "dns", "example.test", dns_server=s, dns_expected=("192.0.2.2", "192.0.2.1.")
        ),
        lambda s: spec(
            "dns", "EXAMPLE.test", dns_server=s, dns_record_type="AAAA",
            dns_expected=("2001:DB8:0::1",),
        ),
        lambda s: spec(
            "dns", "example.test", dns_server=s, dns_record_type="MX",
            dns_expected=("Mail.Example.Test.",),
        ),
        lambda s: spec(
            "dns", "example.test", dns_server=s, dns_record_type="TXT",
            dns_expected=("v=spf1 -all",),
        ),
    )  # fmt: skip
    for ok, latency, error in results:
        assert (ok, error) == (True, "")
        assert latency is not None


def test_dns_failures() -> None:
    wrong, nx, no_record, servfail, silent = dns_results(
        lambda s: spec("dns", "example.test", dns_server=s, dns_expected=("192.0.2.9",)),
        lambda s: spec("dns", "nxdomain.example.test", dns_server=s),
        lambda s: spec("dns", "example.test", dns_server=s, dns_record_type="CNAME"),
        lambda s: spec("dns", "servfail.example.test", dns_server=s),
        lambda s: spec("dns", "silent.example.test", dns_server=s, timeout=0.3),
    )
    assert wrong == (
        False,
        wrong[1],
        "DNS answer lacks 192.0.2.9 (got 192.0.2.1, 192.0.2.2) / "
        "DNS 应答缺少 192.0.2.9（实际 192.0.2.1, 192.0.2.2）",
    )
    assert nx == (False, None, "no such domain (NXDOMAIN) / 域名不存在（NXDOMAIN）")
    assert no_record == (False, None, "no CNAME record / 没有 CNAME 记录")
    assert servfail == (
        False,
        None,
        "DNS server failed (SERVFAIL or refused) / DNS 服务器出错（SERVFAIL 或拒绝）",
    )
    assert silent == (False, None, "timeout after 0.3 s / 0.3 秒内无响应（超时）")


def test_errors_are_clipped_to_300_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    async def chatty(spec: MonitorSpec, ctx: CheckContext) -> Result:
        return False, None, "x" * 1000

    monkeypatch.setitem(checks._CHECKS, "tcp", chatty)
    ok, _, error = run(spec("tcp", "127.0.0.1:1"))[0]
    assert not ok and len(error) == 300


def test_an_unexpected_exception_becomes_a_short_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(spec: MonitorSpec, ctx: CheckContext) -> Result:
        raise KeyError("boom")

    monkeypatch.setitem(checks._CHECKS, "tcp", broken)
    assert run(spec("tcp", "127.0.0.1:1"))[0] == (
        False,
        None,
        "probe error: KeyError / 探测出错：KeyError",
    )
