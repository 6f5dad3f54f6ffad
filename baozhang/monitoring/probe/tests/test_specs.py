"""MonitorSpec and Outcome: JSON round trips and bilingual refusals of bad input."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from baozhang.monitoring.probe.specs import (
    MonitorSpec,
    Outcome,
    parse_status_ranges,
    split_host_port,
    split_server,
)

FULL_HTTP = MonitorSpec(
    id=7,
    kind="http",
    target="https://example.test:8443/health?x=1",
    interval=30,
    timeout=5,
    http_method="POST",
    http_headers=(("X-Token", "abc"), ("Accept", "text/plain")),
    http_body='{"ping": 1}',
    expected_status="200-299,418",
    keyword="ok",
    keyword_absent=True,
    latency_limit_ms=800,
    cert_min_days=14,
    verify_tls=False,
)


@pytest.mark.parametrize(
    "spec",
    [
        FULL_HTTP,
        MonitorSpec(id=1, kind="tcp", target="[::1]:5432", interval=60, timeout=3),
        MonitorSpec(id=2, kind="icmp", target="192.0.2.1", interval=10, timeout=1),
        MonitorSpec(
            id=3,
            kind="dns",
            target="example.test",
            interval=60,
            timeout=2,
            dns_record_type="MX",
            dns_expected=("mail.example.test",),
            dns_server="[2001:db8::53]:5353",
        ),
        MonitorSpec(
            id=4,
            kind="snmp",
            target="[2001:db8::5]:1161",
            interval=60,
            timeout=3,
            snmp_version="3",
            snmp_user="ups-reader",
            snmp_auth_protocol="SHA-256",
            snmp_auth_key="auth-pass-1",
            snmp_priv_protocol="AES-256",
            snmp_priv_key="priv-pass-2",
            snmp_oid="1.3.6.1.2.1.33.1.2.5.0",
            snmp_scale=0.1,
            snmp_min=13.2,
            snmp_max=13.8,
            snmp_unit="V",
        ),
        MonitorSpec(
            id=5,
            kind="snmp",
            target="ups-1.example.test",
            interval=60,
            timeout=3,
            snmp_community="ro",
            snmp_oid=".1.3.6.1.2.1.33.1.4.1.0",
            snmp_expected="3",
        ),
    ],
)
def test_spec_survives_a_json_round_trip(spec: MonitorSpec) -> None:
    again = MonitorSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec
    assert isinstance(again.interval, float)


def test_from_dict_fills_defaults_and_ignores_unknown_keys() -> None:
    spec = MonitorSpec.from_dict(
        {
            "id": 4,
            "kind": "http",
            "target": "http://x.test/",
            "interval": 60,
            "timeout": 10,
            "http_method": "head",
            "added_in_a_later_version": True,
        }
    )
    assert spec.http_method == "HEAD"
    assert spec.expected_status == "200-399"
    assert spec.http_headers == ()


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"kind": "smtp"}, "smtp"),
        ({"interval": 0}, "interval"),
        ({"timeout": "5"}, "timeout"),
        ({"id": -1}, "-1"),
        ({"id": True}, "True"),
        ({"target": "ftp://x.test/"}, "ftp://x.test/"),
        ({"target": "http://"}, "http://"),
        ({"expected_status": "2xx"}, "2xx"),
        ({"expected_status": "399-200"}, "399-200"),
        ({"expected_status": "600"}, "600"),
        ({"http_method": "BREW"}, "BREW"),
        ({"http_headers": [["Bad Name", "v"]]}, "Bad Name"),
        ({"http_headers": [["X", "a\r\nInjected: 1"]]}, "Injected"),
        ({"latency_limit_ms": 0}, "latency_limit_ms"),
        ({"cert_min_days": 1.5}, "cert_min_days"),
        ({"verify_tls": "yes"}, "verify_tls"),
        ({"dns_record_type": "ANY"}, "ANY"),
        ({"dns_expected": "1.2.3.4"}, "dns_expected"),
        ({"dns_server": "dns.example:53"}, "dns.example:53"),
    ],
)
def test_from_dict_refuses_bad_input_in_both_languages(change: dict, names: str) -> None:
    d = {"id": 1, "kind": "http", "target": "http://x.test/", "interval": 60, "timeout": 5}
    d.update(change)
    with pytest.raises(ValueError) as err:
        MonitorSpec.from_dict(d)
    message = str(err.value)
    assert names in message
    english, _, chinese = message.partition(" / ")
    assert english and chinese, message


SNMP = {
    "id": 1,
    "kind": "snmp",
    "target": "10.0.0.5",
    "interval": 60,
    "timeout": 5,
    "snmp_community": "ro",
    "snmp_oid": "1.3.6.1.2.1.1.3.0",
}


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"target": "10.0.0.5:0"}, "10.0.0.5:0"),
        ({"target": "ups 1"}, "ups 1"),
        ({"snmp_version": "1"}, "snmp_version"),
        ({"snmp_oid": "sysUpTime.0"}, "sysUpTime.0"),
        ({"snmp_oid": "1.3.6.01"}, "1.3.6.01"),
        ({"snmp_community": ""}, "community"),
        ({"snmp_version": "3"}, "user"),
        ({"snmp_version": "3", "snmp_user": "u", "snmp_auth_key": "short"}, "snmp_auth_key"),
        ({"snmp_version": "3", "snmp_user": "u", "snmp_priv_key": "12345678"}, "authentication"),
        ({"snmp_version": "3", "snmp_user": "u", "snmp_auth_protocol": "SHA1"}, "SHA1"),
        ({"snmp_version": "3", "snmp_user": "u", "snmp_priv_protocol": "3DES"}, "3DES"),
        ({"snmp_min": 5, "snmp_max": 4}, "snmp_min"),
        ({"snmp_min": "5"}, "snmp_min"),
        ({"snmp_scale": 0}, "snmp_scale"),
        ({"snmp_expected": "1", "snmp_max": 4}, "snmp_expected"),
    ],
)
def test_an_snmp_spec_refuses_bad_settings_in_both_languages(change: dict, names: str) -> None:
    with pytest.raises(ValueError) as err:
        MonitorSpec.from_dict({**SNMP, **change})
    message = str(err.value)
    assert names in message
    english, _, chinese = message.partition(" / ")
    assert english and chinese, message


def test_from_dict_names_missing_fields() -> None:
    with pytest.raises(ValueError, match="interval, timeout"):
        MonitorSpec.from_dict({"id": 1, "kind": "tcp", "target": "h:1"})
    with pytest.raises(ValueError, match="JSON object"):
        MonitorSpec.from_dict(["not", "a", "dict"])


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("db.example:5432", ("db.example", 5432)),
        ("[::1]:80", ("::1", 80)),
        ("10.0.0.1:65535", ("10.0.0.1", 65535)),
    ],
)
def test_split_host_port(target: str, expected: tuple[str, int]) -> None:
    assert split_host_port(target) == expected


@pytest.mark.parametrize("target", ["db.example", "::1:80", "h:0", "h:70000", ":80", "[zz]:1"])
def test_split_host_port_refuses(target: str) -> None:
    with pytest.raises(ValueError, match="host:port"):
        split_host_port(target)


def test_split_server_defaults_to_port_53() -> None:
    assert split_server("1.1.1.1") == ("1.1.1.1", 53)
    assert split_server("2001:db8::1") == ("2001:db8::1", 53)
    assert split_server("[2001:db8::1]:5353") == ("2001:db8::1", 5353)
    assert split_server("127.0.0.1:5300") == ("127.0.0.1", 5300)


def test_status_ranges() -> None:
    assert parse_status_ranges("200-399") == ((200, 399),)
    assert parse_status_ranges(" 200 , 301-302 ") == ((200, 200), (301, 302))


def _outcome(**kw: object) -> Outcome:
    at = dt.datetime(2025, 3, 1, 8, 0, 0, 250000, tzinfo=dt.UTC)
    base: dict = dict(
        monitor_id=9,
        region="bj",
        at=at,
        ok=False,
        latency_ms=None,
        error="timeout after 5 s / 5 秒内无响应（超时）",
        due=at - dt.timedelta(seconds=0.01),
    )
    base.update(kw)
    return Outcome(**base)


def test_outcome_round_trip_keeps_times_exact() -> None:
    o = _outcome()
    assert Outcome.from_dict(json.loads(json.dumps(o.to_dict()))) == o
    ok = _outcome(ok=True, latency_ms=12.5, error="")
    assert Outcome.from_dict(ok.to_dict()) == ok


def test_outcome_from_dict_converts_to_utc_and_accepts_z() -> None:
    d = _outcome().to_dict()
    d["at"] = "2025-03-01T16:00:00+08:00"
    d["due"] = "2025-03-01T08:00:00Z"
    o = Outcome.from_dict(d)
    assert o.at == dt.datetime(2025, 3, 1, 8, tzinfo=dt.UTC)
    assert o.at.utcoffset() == dt.timedelta(0)
    assert o.due == o.at


@pytest.mark.parametrize(
    ("change", "names"),
    [
        ({"at": "2025-03-01T08:00:00"}, "at"),
        ({"due": "yesterday"}, "due"),
        ({"ok": "true"}, "ok"),
        ({"latency_ms": -1}, "latency_ms"),
        ({"monitor_id": "9"}, "monitor_id"),
        ({"region": ""}, "region"),
        ({"error": "x" * 301}, "300"),
    ],
)
def test_outcome_from_dict_refuses_bad_input(change: dict, names: str) -> None:
    d = _outcome().to_dict()
    d.update(change)
    with pytest.raises(ValueError, match=names) as err:
        Outcome.from_dict(d)
    assert " / " in str(err.value)


def test_outcome_from_dict_names_missing_keys() -> None:
    d = _outcome().to_dict()
    del d["due"]
    with pytest.raises(ValueError, match="due"):
        Outcome.from_dict(d)


def test_the_probe_package_does_not_import_django() -> None:
    code = (
        "import sys\n"
        "import baozhang.monitoring.probe.agent, baozhang.monitoring.probe.engine\n"
        "import baozhang.monitoring.probe.checks, baozhang.monitoring.probe.spool\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
