"""What a probe checks and what it found: two frozen value objects, JSON-safe both ways.

:class:`MonitorSpec` is validated when built (a ValueError names the field, the value and
what would be accepted, in English and Chinese); :meth:`MonitorSpec.from_dict` also
accepts the JSON shapes (lists for tuples). :class:`Outcome` is built once per check by
the engine, so its constructor does no validation; :meth:`Outcome.from_dict` validates
what arrives over the wire. No Django, no I/O.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import ipaddress
import math
import re
from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "DNS_RECORD_TYPES",
    "HTTP_METHODS",
    "SNMP_AUTH_PROTOCOLS",
    "SNMP_PRIV_PROTOCOLS",
    "Kind",
    "MonitorSpec",
    "Outcome",
    "bilingual",
    "parse_status_ranges",
    "split_host_port",
    "split_server",
    "split_snmp_target",
]

MAX_ERROR_CHARS = 300

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
DNS_RECORD_TYPES = frozenset({"A", "AAAA", "CNAME", "MX", "NS", "TXT", "PTR", "SOA", "SRV", "CAA"})
SNMP_AUTH_PROTOCOLS = frozenset({"MD5", "SHA", "SHA-224", "SHA-256", "SHA-384", "SHA-512"})
SNMP_PRIV_PROTOCOLS = frozenset({"DES", "AES", "AES-192", "AES-256"})
SNMP_PORT = 161
_OID = re.compile(r"^\.?[0-2](\.(0|[1-9][0-9]{0,9})){1,127}$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_NOT_IN_HOST = re.compile(r"[\s/?#@\[\]\\]")
_SPACE = re.compile(r"\s")


class Kind(StrEnum):
    """The kinds of check a probe runs."""

    HTTP = "http"
    TCP = "tcp"
    ICMP = "icmp"
    DNS = "dns"
    SNMP = "snmp"


_KINDS = tuple(Kind)


def bilingual(en: str, zh: str) -> str:
    """``"en / zh"``: the form of every error message."""
    return f"{en} / {zh}"


def _bad(en: str, zh: str) -> ValueError:
    return ValueError(bilingual(en, zh))


@functools.lru_cache(maxsize=1024)
def parse_status_ranges(text: str) -> tuple[tuple[int, int], ...]:
    """``"200-399,418"`` → ``((200, 399), (418, 418))``. Codes are 100–599; a range's low
    end must not exceed its high end. Raises ValueError otherwise (cached: a check calls
    this for every response)."""
    out: list[tuple[int, int]] = []
    for part in str(text).split(","):
        part = part.strip()
        lo_s, sep, hi_s = part.partition("-")
        try:
            lo = int(lo_s)
            hi = int(hi_s) if sep else lo
        except ValueError:
            lo = hi = -1
        if not (100 <= lo <= hi <= 599):
            raise _bad(
                f"expected_status {text!r}: {part!r} is not a status code or range "
                "(100–599, e.g. '200-399,418')",
                f"expected_status {text!r}：{part!r} 不是状态码或范围（100–599，如 '200-399,418'）",
            )
        out.append((lo, hi))
    return tuple(out)


def split_host_port(target: str) -> tuple[str, int]:
    """``"host:port"`` or ``"[v6]:port"`` → (host, port). Raises ValueError otherwise."""
    host, port_s = "", ""
    if target.startswith("["):
        inner, sep, rest = target[1:].partition("]")
        if sep and rest.startswith(":"):
            host, port_s = inner, rest[1:]
            try:
                ipaddress.IPv6Address(host)
            except ValueError:
                host = ""
    else:
        host, _, port_s = target.rpartition(":")
        if ":" in host:  # a bare IPv6 address needs brackets to carry a port
            host = ""
    port = int(port_s) if port_s.isdigit() else 0
    if not _plausible_host(host) or not 1 <= port <= 65535:
        raise _bad(
            f"target {target!r} is not host:port (port 1–65535; IPv6 as [::1]:80)",
            f"目标 {target!r} 不是 主机:端口 的形式（端口 1–65535；IPv6 写作 [::1]:80）",
        )
    return host, port


def split_server(server: str) -> tuple[str, int]:
    """A DNS server ``"ip"``, ``"ip:port"``, ``"v6"`` or ``"[v6]:port"`` → (ip, port);
    the port defaults to 53. Raises ValueError otherwise."""
    ip, port = server, 53
    try:
        if server.startswith("[") or server.count(":") == 1:
            ip, port = split_host_port(server)
        ipaddress.ip_address(ip)
    except ValueError:
        raise _bad(
            f"dns_server {server!r} is not an IP address with an optional port "
            "(1.1.1.1, 1.1.1.1:53, [2606:4700::1111]:53)",
            f"dns_server {server!r} 不是 IP 地址（可带端口，如 1.1.1.1、1.1.1.1:53、"
            "[2606:4700::1111]:53）",
        ) from None
    return ip, port


def split_snmp_target(target: str) -> tuple[str, int]:
    """An SNMP agent ``"host"``, ``"host:port"``, ``"v6"`` or ``"[v6]:port"`` → (host,
    port); the port defaults to 161. Raises ValueError otherwise."""
    if target.startswith("[") or target.count(":") == 1:
        try:
            return split_host_port(target)
        except ValueError:
            pass
    elif _plausible_host(target):
        return target, SNMP_PORT
    raise _bad(
        f"target {target!r} is not an SNMP agent's host[:port] (10.0.0.5, ups.example:161, "
        "[2001:db8::5]:161)",
        f"目标 {target!r} 不是 SNMP 代理的 主机[:端口]（如 10.0.0.5、ups.example:161、"
        "[2001:db8::5]:161）",
    )


def _plausible_host(host: str) -> bool:
    if not host or len(host) > 253:
        return False
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return False
        return True
    return _NOT_IN_HOST.search(host) is None


def _positive_number(name: str, value: object) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise _bad(
            f"{name} {value!r} must be a positive number of seconds",
            f"{name} {value!r} 必须是正数（秒）",
        )
    return float(value)


def _optional_int(name: str, value: object, minimum: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _bad(
            f"{name} {value!r} must be empty or a whole number ≥ {minimum}",
            f"{name} {value!r} 必须为空或不小于 {minimum} 的整数",
        )
    return value


def _string(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise _bad(f"{name} {value!r} must be text", f"{name} {value!r} 必须是文本")
    return value


@dataclass(frozen=True, slots=True)
class MonitorSpec:
    """One monitor as a probe sees it. Times in seconds; validated when built.

    ``target`` by kind: http — an http(s) URL; tcp — ``host:port`` (``[::1]:80``);
    icmp — a host name or IP; dns — the name to resolve (an IP for PTR); snmp — the
    agent's ``host[:port]`` (161 by default).
    ``expected_status``: codes and ranges, comma separated (``"200-399,418"``).
    ``dns_expected``: values that must all be in the answer (case-insensitive, trailing
    dots ignored). ``dns_server``: ``""`` for the system resolver, else ``ip[:port]``.
    ``snmp_*``: a GET of ``snmp_oid`` (v2c with a community, v3 with a user and optional
    authentication and privacy keys); the value times ``snmp_scale`` must equal
    ``snmp_expected`` or lie within ``snmp_min``–``snmp_max`` (either may be open).
    """

    id: int
    kind: str
    target: str
    interval: float
    timeout: float
    http_method: str = "GET"
    http_headers: tuple[tuple[str, str], ...] = ()
    http_body: str = ""
    expected_status: str = "200-399"
    keyword: str = ""
    keyword_absent: bool = False
    latency_limit_ms: int | None = None
    cert_min_days: int | None = None
    verify_tls: bool = True
    dns_record_type: str = "A"
    dns_expected: tuple[str, ...] = ()
    dns_server: str = ""
    snmp_version: str = "2c"
    snmp_community: str = ""
    snmp_user: str = ""
    snmp_auth_protocol: str = "SHA"
    snmp_auth_key: str = ""
    snmp_priv_protocol: str = "AES"
    snmp_priv_key: str = ""
    snmp_oid: str = ""
    snmp_expected: str = ""
    snmp_scale: float = 1.0
    snmp_min: float | None = None
    snmp_max: float | None = None
    snmp_unit: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.id, bool) or not isinstance(self.id, int) or self.id < 0:
            raise _bad(
                f"monitor id {self.id!r} must be a whole number ≥ 0",
                f"监控编号 {self.id!r} 必须是不小于 0 的整数",
            )
        if self.kind not in _KINDS:
            raise _bad(
                f"kind {self.kind!r} is not one of http, tcp, icmp, dns, snmp",
                f"类型 {self.kind!r} 不是 http、tcp、icmp、dns、snmp 之一",
            )
        # object.__setattr__: the documented way to normalise a field of a frozen dataclass
        object.__setattr__(self, "interval", _positive_number("interval", self.interval))
        object.__setattr__(self, "timeout", _positive_number("timeout", self.timeout))
        _string("target", self.target)
        self._check_target()
        if self.http_method not in HTTP_METHODS:
            raise _bad(
                f"http_method {self.http_method!r} is not one of {', '.join(sorted(HTTP_METHODS))}",
                f"http_method {self.http_method!r} 不是 {'、'.join(sorted(HTTP_METHODS))} 之一",
            )
        if not isinstance(self.http_headers, tuple):
            raise _bad("http_headers must be a tuple of pairs", "http_headers 必须是键值对元组")
        for pair in self.http_headers:
            if (
                not isinstance(pair, tuple)
                or len(pair) != 2
                or not isinstance(pair[0], str)
                or not isinstance(pair[1], str)
                or not _HEADER_NAME.match(pair[0])
                or "\r" in pair[1]
                or "\n" in pair[1]
            ):
                raise _bad(
                    f"http header {pair!r} must be a (name, value) pair of text, the name a "
                    "token and the value on one line",
                    f"HTTP 头 {pair!r} 必须是 (名称, 值) 文本对，名称为合法标记，值不换行",
                )
        _string("http_body", self.http_body)
        parse_status_ranges(self.expected_status)
        _string("keyword", self.keyword)
        if not isinstance(self.keyword_absent, bool) or not isinstance(self.verify_tls, bool):
            raise _bad(
                "keyword_absent and verify_tls must be true or false",
                "keyword_absent 和 verify_tls 必须是 true 或 false",
            )
        _optional_int("latency_limit_ms", self.latency_limit_ms, 1)
        _optional_int("cert_min_days", self.cert_min_days, 0)
        if self.dns_record_type not in DNS_RECORD_TYPES:
            raise _bad(
                f"dns_record_type {self.dns_record_type!r} is not one of "
                f"{', '.join(sorted(DNS_RECORD_TYPES))}",
                f"dns_record_type {self.dns_record_type!r} 不是 "
                f"{'、'.join(sorted(DNS_RECORD_TYPES))} 之一",
            )
        if not isinstance(self.dns_expected, tuple) or not all(
            isinstance(v, str) and v.strip() for v in self.dns_expected
        ):
            raise _bad(
                f"dns_expected {self.dns_expected!r} must be a tuple of non-empty texts",
                f"dns_expected {self.dns_expected!r} 必须是非空文本的元组",
            )
        _string("dns_server", self.dns_server)
        if self.dns_server:
            split_server(self.dns_server)
        if self.kind == Kind.SNMP:
            self._check_snmp()

    def _check_snmp(self) -> None:
        for name in (
            "snmp_community",
            "snmp_user",
            "snmp_auth_key",
            "snmp_priv_key",
            "snmp_oid",
            "snmp_expected",
            "snmp_unit",
        ):
            _string(name, getattr(self, name))
        if self.snmp_version not in ("2c", "3"):
            raise _bad(
                f"snmp_version {self.snmp_version!r} is not 2c or 3",
                f"snmp_version {self.snmp_version!r} 不是 2c 或 3",
            )
        if not _OID.match(self.snmp_oid):
            raise _bad(
                f"snmp_oid {self.snmp_oid!r} is not a numeric OID (1.3.6.1.2.1.1.3.0)",
                f"snmp_oid {self.snmp_oid!r} 不是数字形式的 OID（如 1.3.6.1.2.1.1.3.0）",
            )
        if self.snmp_version == "2c" and not self.snmp_community:
            raise _bad("SNMPv2c needs a community", "SNMPv2c 需要团体名")
        if self.snmp_version == "3":
            if not self.snmp_user:
                raise _bad("SNMPv3 needs a user", "SNMPv3 需要用户名")
            if self.snmp_auth_protocol not in SNMP_AUTH_PROTOCOLS:
                raise _bad(
                    f"snmp_auth_protocol {self.snmp_auth_protocol!r} is not one of "
                    f"{', '.join(sorted(SNMP_AUTH_PROTOCOLS))}",
                    f"snmp_auth_protocol {self.snmp_auth_protocol!r} 不是 "
                    f"{'、'.join(sorted(SNMP_AUTH_PROTOCOLS))} 之一",
                )
            if self.snmp_priv_protocol not in SNMP_PRIV_PROTOCOLS:
                raise _bad(
                    f"snmp_priv_protocol {self.snmp_priv_protocol!r} is not one of "
                    f"{', '.join(sorted(SNMP_PRIV_PROTOCOLS))}",
                    f"snmp_priv_protocol {self.snmp_priv_protocol!r} 不是 "
                    f"{'、'.join(sorted(SNMP_PRIV_PROTOCOLS))} 之一",
                )
            if self.snmp_priv_key and not self.snmp_auth_key:
                raise _bad("SNMPv3 privacy needs authentication too", "SNMPv3 加密需要同时设置认证")
            for name in ("snmp_auth_key", "snmp_priv_key"):
                key = getattr(self, name)
                if key and len(key) < 8:
                    raise _bad(
                        f"{name} must have at least 8 characters",
                        f"{name} 至少需要 8 个字符",
                    )
        object.__setattr__(self, "snmp_scale", _positive_number("snmp_scale", self.snmp_scale))
        for name in ("snmp_min", "snmp_max"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                raise _bad(
                    f"{name} {value!r} must be empty or a number",
                    f"{name} {value!r} 必须为空或数字",
                )
            if value is not None:
                object.__setattr__(self, name, float(value))
        lo, hi = self.snmp_min, self.snmp_max
        if lo is not None and hi is not None and lo > hi:
            raise _bad(
                f"snmp_min {lo:g} is above snmp_max {hi:g}", f"snmp_min {lo:g} 大于 snmp_max {hi:g}"
            )
        if self.snmp_expected and (lo is not None or hi is not None):
            raise _bad(
                "snmp_expected and a range (snmp_min, snmp_max) exclude each other",
                "snmp_expected 与范围（snmp_min、snmp_max）只能取其一",
            )

    def _check_target(self) -> None:
        t = self.target
        if self.kind == Kind.HTTP:
            try:
                parts = urlsplit(t)
                ok = parts.scheme in ("http", "https") and bool(parts.hostname)
                _ = parts.port  # raises on a bad port
            except ValueError:
                ok = False
            if not ok or _SPACE.search(t):
                raise _bad(
                    f"target {t!r} is not an http:// or https:// URL",
                    f"目标 {t!r} 不是 http:// 或 https:// 网址",
                )
        elif self.kind == Kind.TCP:
            split_host_port(t)
        elif self.kind == Kind.SNMP:
            split_snmp_target(t)
        elif not _plausible_host(t):
            raise _bad(
                f"target {t!r} is not a host name or IP address",
                f"目标 {t!r} 不是主机名或 IP 地址",
            )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of every field (tuples as lists)."""
        return {
            "id": self.id,
            "kind": str(self.kind),
            "target": self.target,
            "interval": self.interval,
            "timeout": self.timeout,
            "http_method": self.http_method,
            "http_headers": [[k, v] for k, v in self.http_headers],
            "http_body": self.http_body,
            "expected_status": self.expected_status,
            "keyword": self.keyword,
            "keyword_absent": self.keyword_absent,
            "latency_limit_ms": self.latency_limit_ms,
            "cert_min_days": self.cert_min_days,
            "verify_tls": self.verify_tls,
            "dns_record_type": self.dns_record_type,
            "dns_expected": list(self.dns_expected),
            "dns_server": self.dns_server,
            "snmp_version": self.snmp_version,
            "snmp_community": self.snmp_community,
            "snmp_user": self.snmp_user,
            "snmp_auth_protocol": self.snmp_auth_protocol,
            "snmp_auth_key": self.snmp_auth_key,
            "snmp_priv_protocol": self.snmp_priv_protocol,
            "snmp_priv_key": self.snmp_priv_key,
            "snmp_oid": self.snmp_oid,
            "snmp_expected": self.snmp_expected,
            "snmp_scale": self.snmp_scale,
            "snmp_min": self.snmp_min,
            "snmp_max": self.snmp_max,
            "snmp_unit": self.snmp_unit,
        }

    @classmethod
    def from_dict(cls, d: Any) -> MonitorSpec:
        """The spec from :meth:`to_dict`'s shape. ``id``, ``kind``, ``target``, ``interval``
        and ``timeout`` are required; other fields default. Keys this version does not know
        are ignored, so a newer server can talk to an older agent. Raises ValueError."""
        if not isinstance(d, dict):
            raise _bad(
                f"a monitor must be a JSON object, not {type(d).__name__}",
                f"监控必须是 JSON 对象，而不是 {type(d).__name__}",
            )
        missing = [k for k in ("id", "kind", "target", "interval", "timeout") if k not in d]
        if missing:
            raise _bad(
                f"monitor {d.get('id')!r} lacks {', '.join(missing)}",
                f"监控 {d.get('id')!r} 缺少 {'、'.join(missing)}",
            )
        kw = {f.name: d[f.name] for f in fields(cls) if f.name in d}
        headers = kw.get("http_headers", ())
        if isinstance(headers, dict):
            headers = list(headers.items())
        if not isinstance(headers, list | tuple):
            raise _bad(
                f"http_headers {headers!r} must be a list of [name, value] pairs",
                f"http_headers {headers!r} 必须是 [名称, 值] 对的列表",
            )
        kw["http_headers"] = tuple(tuple(p) if isinstance(p, list | tuple) else p for p in headers)
        expected = kw.get("dns_expected", ())
        if isinstance(expected, str) or not isinstance(expected, list | tuple):
            raise _bad(
                f"dns_expected {expected!r} must be a list of texts",
                f"dns_expected {expected!r} 必须是文本列表",
            )
        kw["dns_expected"] = tuple(expected)
        if isinstance(kw.get("http_method"), str):
            kw["http_method"] = kw["http_method"].upper()
        if isinstance(kw.get("dns_record_type"), str):
            kw["dns_record_type"] = kw["dns_record_type"].upper()
        try:
            return cls(**kw)
        except TypeError as exc:  # e.g. an unhashable value where text was expected
            raise _bad(f"monitor {d.get('id')!r}: {exc}", f"监控 {d.get('id')!r}：{exc}") from None


def _utc(name: str, value: object) -> dt.datetime:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = dt.datetime.fromisoformat(value)
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise _bad(
            f"{name} {value!r} must be an ISO 8601 time with a UTC offset",
            f"{name} {value!r} 必须是带 UTC 偏移的 ISO 8601 时间",
        )
    return value.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class Outcome:
    """One finished check. ``at``: when it started; ``due``: when it was scheduled (both
    aware UTC). ``latency_ms`` is None when nothing was measured (e.g. a timeout).
    ``error`` is ``""`` when ok, else a short "English / 中文" line (≤ 300 chars).
    The constructor does not validate (the engine builds thousands a second)."""

    monitor_id: int
    region: str
    at: dt.datetime
    ok: bool
    latency_ms: float | None
    error: str
    due: dt.datetime

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; times as ISO 8601 with offset."""
        return {
            "monitor_id": self.monitor_id,
            "region": self.region,
            "at": self.at.isoformat(),
            "ok": self.ok,
            "latency_ms": self.latency_ms,
            "error": self.error,
            "due": self.due.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: Any) -> Outcome:
        """The outcome from :meth:`to_dict`'s shape; times converted to UTC. Raises
        ValueError on a missing key, a wrong type, a naive time or an error too long."""
        if not isinstance(d, dict):
            raise _bad(
                f"a result must be a JSON object, not {type(d).__name__}",
                f"结果必须是 JSON 对象，而不是 {type(d).__name__}",
            )
        missing = [
            k
            for k in ("monitor_id", "region", "at", "ok", "latency_ms", "error", "due")
            if k not in d
        ]
        if missing:
            raise _bad(f"result lacks {', '.join(missing)}", f"结果缺少 {'、'.join(missing)}")
        mid, region, ok, latency, error = (
            d["monitor_id"],
            d["region"],
            d["ok"],
            d["latency_ms"],
            d["error"],
        )
        if isinstance(mid, bool) or not isinstance(mid, int) or mid < 0:
            raise _bad(
                f"monitor_id {mid!r} must be a whole number ≥ 0",
                f"monitor_id {mid!r} 必须是不小于 0 的整数",
            )
        if not isinstance(region, str) or not region:
            raise _bad(
                f"region {region!r} must be non-empty text", f"区域 {region!r} 必须是非空文本"
            )
        if not isinstance(ok, bool):
            raise _bad(f"ok {ok!r} must be true or false", f"ok {ok!r} 必须是 true 或 false")
        if latency is not None and (
            isinstance(latency, bool)
            or not isinstance(latency, int | float)
            or not math.isfinite(latency)
            or latency < 0
        ):
            raise _bad(
                f"latency_ms {latency!r} must be empty or a number ≥ 0",
                f"latency_ms {latency!r} 必须为空或不小于 0 的数",
            )
        if not isinstance(error, str) or len(error) > MAX_ERROR_CHARS:
            raise _bad(
                f"error must be text of at most {MAX_ERROR_CHARS} characters",
                f"error 必须是不超过 {MAX_ERROR_CHARS} 个字符的文本",
            )
        return cls(
            monitor_id=mid,
            region=region,
            at=_utc("at", d["at"]),
            ok=ok,
            latency_ms=None if latency is None else float(latency),
            error=error,
            due=_utc("due", d["due"]),
        )
