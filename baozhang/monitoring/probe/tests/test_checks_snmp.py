"""The SNMP check against Debian's real snmpd on loopback: v2c and v3 (authPriv, SHA/AES),
a value within and outside its range, an expected text, a missing OID, wrong
credentials, and an agent that never answers (the check ends at its timeout)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import pytest

from baozhang.monitoring.probe.checks import CheckContext, run_check
from baozhang.monitoring.probe.specs import MonitorSpec
from baozhang.monitoring.probe.tests.snmpd import (
    COMMUNITY,
    V3_AUTH,
    V3_PRIV,
    V3_USER,
    SnmpAgent,
    silent_udp_port,
    snmp_agent,
)

Result = tuple[bool, float | None, str]


@pytest.fixture(scope="module")
def agent() -> Iterator[SnmpAgent]:
    with snmp_agent() as running:
        yield running


def v2c(target: str, oid: str, **kw: Any) -> MonitorSpec:
    kw.setdefault("timeout", 3.0)
    return MonitorSpec(
        id=1,
        kind="snmp",
        target=target,
        interval=60.0,
        snmp_version="2c",
        snmp_oid=oid,
        **{"snmp_community": COMMUNITY, **kw},
    )


def v3(target: str, oid: str, **kw: Any) -> MonitorSpec:
    kw.setdefault("timeout", 3.0)
    kw.setdefault("snmp_auth_key", V3_AUTH)
    kw.setdefault("snmp_priv_key", V3_PRIV)
    return MonitorSpec(
        id=2,
        kind="snmp",
        target=target,
        interval=60.0,
        snmp_version="3",
        snmp_auth_protocol="SHA",
        snmp_priv_protocol="AES",
        snmp_oid=oid,
        **{"snmp_user": V3_USER, **kw},
    )


def run(*specs: MonitorSpec) -> list[Result]:
    async def main() -> list[Result]:
        async with CheckContext() as ctx:
            # bounded from outside too: a check that hung would fail the test, not stall it
            return [await asyncio.wait_for(run_check(s, ctx), 30) for s in specs]

    return asyncio.run(main())


def test_v2c_value_within_and_outside_its_range(agent: SnmpAgent) -> None:
    agent.set(1, "13.5")
    spec = v2c(agent.target, agent.oid(1), snmp_min=13.2, snmp_max=13.8, snmp_unit="V")
    [(ok, latency, error)] = run(spec)
    assert (ok, error) == (True, "")
    assert latency is not None

    agent.set(1, "12.9")
    [(ok, latency, error)] = run(spec)
    assert not ok
    assert error == "12.9 V outside 13.2–13.8 V / 12.9 V 超出 13.2–13.8 V 范围"


def test_v3_auth_priv_reads_an_integer_scaled_to_volts(agent: SnmpAgent) -> None:
    agent.set(2, 136, "integer")  # UPS-MIB style: tenths of a volt
    spec = v3(
        agent.target,
        agent.oid(2),
        snmp_scale=0.1,
        snmp_min=13.2,
        snmp_max=13.8,
        snmp_unit="V",
    )
    [(ok, _, error)] = run(spec)
    assert (ok, error) == (True, "")
    agent.set(2, 140, "integer")
    [(ok, _, error)] = run(spec)
    assert error == "14 V outside 13.2–13.8 V / 14 V 超出 13.2–13.8 V 范围"


def test_expected_text_and_expected_number(agent: SnmpAgent) -> None:
    agent.set(3, "online")
    agent.set(4, 2, "integer")
    good_text, bad_text, good_number = run(
        v2c(agent.target, agent.oid(3), snmp_expected="online"),
        v2c(agent.target, agent.oid(3), snmp_expected="onBattery"),
        v3(agent.target, agent.oid(4), snmp_expected="2"),
    )
    assert good_text == (True, good_text[1], "")
    assert bad_text[0] is False
    assert bad_text[2] == "online is not onBattery / online 不等于 onBattery"
    assert good_number[0] is True


def test_missing_oid_and_a_reading_that_is_not_a_number(agent: SnmpAgent) -> None:
    agent.unset(9)
    agent.set(5, "n/a")
    missing, not_number = run(
        v2c(agent.target, agent.oid(9)),
        v2c(agent.target, agent.oid(5), snmp_min=0),
    )
    assert missing[0] is False
    assert missing[2] == f"no such OID {agent.oid(9)} / OID {agent.oid(9)} 不存在"
    assert not_number[0] is False
    assert not_number[2] == "n/a is not a number (expected ≥ 0) / n/a 不是数值（应为 ≥ 0）"


def test_wrong_credentials_are_down_with_a_reason(agent: SnmpAgent) -> None:
    agent.set(1, "13.5")
    wrong_community, wrong_auth, unknown_user = run(
        v2c(agent.target, agent.oid(1), snmp_community="not-it", timeout=0.5),
        v3(agent.target, agent.oid(1), snmp_auth_key="not-the-key"),
        v3(agent.target, agent.oid(1), snmp_user="nobody"),
    )
    # snmpd drops a request with a wrong community without a word: it looks like silence
    assert wrong_community[0] is False
    assert "0.5 s" in wrong_community[2]
    assert wrong_auth[0] is False
    assert "wrong authentication passphrase" in wrong_auth[2]
    assert unknown_user[0] is False
    assert "unknown user" in unknown_user[2]


def test_an_agent_that_never_answers_costs_its_timeout_and_no_more() -> None:
    with silent_udp_port() as port:
        [(ok, latency, error)] = run(
            v2c(f"127.0.0.1:{port}", "1.3.6.1.2.1.1.3.0", timeout=0.3),
        )
    assert (ok, latency) == (False, None)
    assert "0.3" in error
    assert "/" in error  # English / Chinese


def test_checks_at_once_share_one_engine_per_set_of_credentials(agent: SnmpAgent) -> None:
    agent.set(1, "13.5")
    specs = [
        *(v2c(agent.target, agent.oid(1)) for _ in range(3)),
        *(v3(agent.target, agent.oid(1)) for _ in range(2)),
        v3(agent.target, agent.oid(1), snmp_auth_key="another-key-9"),
    ]

    async def main() -> tuple[list[Result], int]:
        async with CheckContext() as ctx:
            results = await asyncio.wait_for(
                asyncio.gather(*(run_check(s, ctx) for s in specs)), 60
            )
            return list(results), len(ctx.snmp._engines)

    results, engines = asyncio.run(main())
    assert [ok for ok, _, _ in results] == [True] * 5 + [False]
    assert engines == 3  # v2c; the v3 user with its keys; the same user with other keys


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _ipv6(), reason="no IPv6 loopback here")
def test_an_agent_on_ipv6_is_asked_over_ipv6() -> None:
    with snmp_agent("::1") as six:
        six.set(1, "21.5")
        assert six.target.startswith("[::1]:")
        v2, v3_ = run(
            v2c(six.target, six.oid(1), snmp_min=18, snmp_max=27, snmp_unit="°C"),
            v3(six.target, six.oid(1), snmp_max=20, snmp_unit="°C"),
        )
    assert v2[0] is True
    assert v3_[2] == "21.5 °C outside ≤ 20 °C / 21.5 °C 超出 ≤ 20 °C 范围"
