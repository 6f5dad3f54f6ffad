"""The rules of a monitor's settings, per kind: what a target, a status list, headers,
a schedule and a heartbeat may be. Pure checks on an unsaved ``Monitor``: no queries, no
writes (the catalogue passes in the active regions and saves). Every message names the
field, the value and what would be accepted, in English and Chinese."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping, Set
from urllib.parse import urlsplit

from baozhang.catalog.rules import Refusal, is_int, refuse
from baozhang.core.sla_text import bilingual
from baozhang.monitoring.models import (
    LOCAL_REGION,
    DnsRecordType,
    HttpMethod,
    Monitor,
    MonitorKind,
)
from baozhang.monitoring.rules_snmp import check_snmp as _check_snmp

__all__ = [
    "COMMON_FIELDS",
    "MONITOR_FIELDS",
    "MONITOR_RELATIONS",
    "Refusal",
    "check_monitor",
    "is_int",
    "kind_fields",
    "parse_expected_status",
    "refuse",
    "split_list",
]


# -- fields ---------------------------------------------------------------------------------


COMMON_FIELDS = ("name", "kind", "enabled", "assets")
_SCHEDULE_FIELDS = ("interval_s", "timeout_s", "retries", "regions", "quorum")
_HTTP_FIELDS = (
    "target",
    "http_method",
    "http_headers",
    "http_body",
    "expected_status",
    "keyword",
    "keyword_absent",
    "latency_limit_ms",
    "cert_min_days",
    "verify_tls",
)
_DNS_FIELDS = ("target", "dns_record_type", "dns_expected", "dns_server", "latency_limit_ms")
_SNMP_FIELDS = (
    "target",
    "snmp_version",
    "snmp_community",
    "snmp_user",
    "snmp_auth_protocol",
    "snmp_auth_key",
    "snmp_priv_protocol",
    "snmp_priv_key",
    "snmp_oid",
    "snmp_expected",
    "snmp_scale",
    "snmp_min",
    "snmp_max",
    "snmp_unit",
    "latency_limit_ms",
)
_PUSH_FIELDS = ("push_period_s", "push_grace_s")
MONITOR_FIELDS = tuple(
    dict.fromkeys(
        COMMON_FIELDS + _SCHEDULE_FIELDS + _HTTP_FIELDS + _DNS_FIELDS + _SNMP_FIELDS + _PUSH_FIELDS
    )
)
MONITOR_RELATIONS = ("services", "customers", "targets", "registered_assets")

_KIND_FIELDS: dict[str, tuple[str, ...]] = {
    MonitorKind.HTTP: _HTTP_FIELDS + _SCHEDULE_FIELDS,
    MonitorKind.TCP: ("target", "latency_limit_ms", *_SCHEDULE_FIELDS),
    MonitorKind.ICMP: ("target", "latency_limit_ms", *_SCHEDULE_FIELDS),
    MonitorKind.DNS: _DNS_FIELDS + _SCHEDULE_FIELDS,
    MonitorKind.SNMP: _SNMP_FIELDS + _SCHEDULE_FIELDS,
    MonitorKind.PUSH: _PUSH_FIELDS,
}


def kind_fields(kind: str) -> tuple[str, ...]:
    """The settings that belong to monitors of ``kind`` beyond the common ones (name,
    enabled, assets, services, customers, targets). Other settings keep their defaults
    and are not checked. Empty for an unknown kind."""
    return _KIND_FIELDS.get(kind, ())


# -- values ---------------------------------------------------------------------------------

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# DNS names may have service labels (_dmarc, _sip._tcp) that host names may not.
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _is_ip(text: str, version: int | None = None) -> bool:
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    return version is None or ip.version == version


def _is_name(text: str, *, dns: bool = False) -> bool:
    """A host (or, with ``dns``, any DNS) name: ASCII or internationalised labels, an
    optional final dot, and a last label that is not all digits (that is a bad IP)."""
    name = text[:-1] if text.endswith(".") else text
    try:
        name = name.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = name.split(".")
    if not name or len(name) > 253 or labels[-1].isdigit():
        return False
    pattern = _DNS_LABEL if dns else _LABEL
    return all(pattern.match(label) for label in labels)


def _is_host(text: str) -> bool:
    return _is_ip(text) or _is_name(text)


def _port(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    port = int(text)
    return port if 1 <= port <= 65535 else None


def _split_host_port(text: str, *, v6_only_in_brackets: bool = True) -> tuple[str, str] | None:
    """``host:port`` or ``[v6]:port`` → (host, port text); None when it is neither."""
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or text[end + 1 : end + 2] != ":":
            return None
        host = text[1:end]
        return (host, text[end + 2 :]) if _is_ip(host, 6) else None
    host, sep, port = text.rpartition(":")
    if not sep or (v6_only_in_brackets and ":" in host):
        return None
    return host, port


def _http_target_error(url: str) -> str | None:
    example = "https://www.example.com/health"
    bad = bilingual(
        f"The HTTP target {url!r} is not an http:// or https:// URL with a host; "
        f"write e.g. {example}",
        f"HTTP 目标 {url!r} 不是带主机名的 http:// 或 https:// 网址，例如 {example}",
    )
    if not url or any(c.isspace() for c in url):
        return bad
    parts = urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return bad
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return bilingual(
            f"The port in {url!r} must be a number from 1 to 65535",
            f"{url!r} 中的端口必须是 1 到 65535 之间的数字",
        )
    return None if _is_host(parts.hostname) else bad


def _tcp_target_error(text: str) -> str | None:
    split = _split_host_port(text)
    if split is None or not _is_host(split[0]) or _port(split[1]) is None:
        return bilingual(
            f"The TCP target {text!r} is not host:port (port 1–65535); write e.g. "
            "db.example.com:5432, 10.0.0.5:22 or [2001:db8::1]:443",
            f"TCP 目标 {text!r} 不是“主机:端口”（端口 1–65535），例如 db.example.com:5432、"
            "10.0.0.5:22 或 [2001:db8::1]:443",
        )
    return None


def _icmp_target_error(text: str) -> str | None:
    if not _is_host(text):
        return bilingual(
            f"The ICMP target {text!r} is not a host name or IP address; write e.g. "
            "gw.example.com or 10.0.0.1",
            f"ICMP 目标 {text!r} 不是主机名或 IP 地址，例如 gw.example.com 或 10.0.0.1",
        )
    return None


def _dns_target_error(text: str) -> str | None:
    if not _is_name(text, dns=True):
        return bilingual(
            f"The DNS target {text!r} is not a domain name; write e.g. www.example.com",
            f"DNS 目标 {text!r} 不是域名，例如 www.example.com",
        )
    return None


def _snmp_target_error(text: str) -> str | None:
    if _is_host(text):
        return None
    split = _split_host_port(text)
    if split is not None and _is_host(split[0]) and _port(split[1]) is not None:
        return None
    return bilingual(
        f"The SNMP target {text!r} is not an agent's host or host:port (161 if not given); "
        "write e.g. ups-1.example.com, 10.0.0.5:161 or [2001:db8::5]:161",
        f"SNMP 目标 {text!r} 不是代理的“主机”或“主机:端口”（不写端口即 161），例如 "
        "ups-1.example.com、10.0.0.5:161 或 [2001:db8::5]:161",
    )


def _dns_server_ok(text: str) -> bool:
    if _is_ip(text):
        return True
    if text.startswith("[") and text.endswith("]"):
        return _is_ip(text[1:-1], 6)
    split = _split_host_port(text)
    if split is None or _port(split[1]) is None:
        return False
    return _is_ip(split[0], 6) if text.startswith("[") else _is_ip(split[0], 4)


def parse_expected_status(text: str) -> tuple[tuple[int, int], ...]:
    """``"200-299, 301"`` → ((200, 299), (301, 301)). Codes are 100–599 and each range
    runs low to high. Raises ValueError (English / Chinese) for anything else."""
    items = [p.strip() for p in str(text).split(",")]
    ranges: list[tuple[int, int]] = []
    for item in items:
        lo, sep, hi = (s.strip() for s in item.partition("-"))
        a = _status_code(lo)
        b = _status_code(hi) if sep else a
        if a is None or b is None or a > b:
            raise ValueError(
                bilingual(
                    f"The expected status {text!r} is not a list of HTTP codes or ranges "
                    f"from 100 to 599 ({item!r} is not); write e.g. 200-299,301",
                    f"期望状态码 {text!r} 不是 100–599 之间的状态码或范围的列表"
                    f"（{item!r} 不是），例如 200-299,301",
                )
            )
        ranges.append((a, b))
    return tuple(ranges)


def _status_code(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()):
        return None
    code = int(text)
    return code if 100 <= code <= 599 else None


def _status_text(ranges: Iterable[tuple[int, int]]) -> str:
    return ",".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges)


def _headers_error(headers: object) -> str | None:
    if not isinstance(headers, Mapping):
        return bilingual(
            'HTTP headers must be names mapped to values, e.g. {"Accept": "text/html"}',
            'HTTP 请求头必须是“名称 → 值”的映射，例如 {"Accept": "text/html"}',
        )
    for name, value in headers.items():
        if not isinstance(name, str) or not _HEADER_NAME.match(name):
            return bilingual(
                f"The HTTP header name {name!r} is not valid: use letters, digits and - only",
                f"HTTP 请求头名称 {name!r} 无效：只能用字母、数字和 -",
            )
        if not isinstance(value, str) or "\r" in value or "\n" in value:
            return bilingual(
                f"The value of HTTP header {name} must be text on one line",
                f"HTTP 请求头 {name} 的值必须是单行文本",
            )
    return None


def split_list(text: str) -> list[str]:
    return [p.strip() for p in str(text).split(",") if p.strip()]


def _int_error(value: object, lo: int, hi: int | None, en: str, zh: str) -> str | None:
    if is_int(value) and value >= lo and (hi is None or value <= hi):  # type: ignore[operator]
        return None
    upper = f"{hi:,}" if hi is not None else ""
    en_range = f"from {lo:,} to {upper}" if hi is not None else f"of at least {lo:,}"
    zh_range = f"{lo:,} 到 {upper} 之间" if hi is not None else f"不小于 {lo:,}"
    return bilingual(
        f"The {en} must be a whole number {en_range}, not {value!r}",
        f"{zh}必须是{zh_range}的整数，而不是 {value!r}",
    )


# -- a monitor's settings ------------------------------------------------------------------


def check_monitor(monitor: Monitor, *, active_regions: Set[str] | None) -> None:
    """Validate and normalise ``monitor``'s settings in place (only those of its kind);
    raise a Refusal with every problem at once. ``active_regions``: the active probe
    regions, to check that its regions exist; None skips that check (a region deactivated
    later must not block edits of other settings)."""
    errors: dict[str, str] = {}
    monitor.name = str(monitor.name or "").strip()
    if not monitor.name:
        errors["name"] = bilingual("A monitor needs a name", "监控项需要名称")
    elif len(monitor.name) > 200:
        errors["name"] = bilingual(
            "A monitor's name has at most 200 characters", "监控项名称最多 200 个字符"
        )
    kind = monitor.kind
    if kind not in MonitorKind.values:
        errors["kind"] = bilingual(
            f"Unknown kind {kind!r}; use one of {', '.join(MonitorKind.values)}",
            f"未知的类型 {kind!r}，可用：{', '.join(MonitorKind.values)}",
        )
        raise refuse(errors)
    monitor.target = str(monitor.target or "").strip()
    target_error = {
        MonitorKind.HTTP: _http_target_error,
        MonitorKind.TCP: _tcp_target_error,
        MonitorKind.ICMP: _icmp_target_error,
        MonitorKind.DNS: _dns_target_error,
        MonitorKind.SNMP: _snmp_target_error,
    }.get(kind)
    if target_error is not None:
        problem = target_error(monitor.target)
        if problem:
            errors["target"] = problem
    if kind == MonitorKind.HTTP:
        _check_http(monitor, errors)
    if kind == MonitorKind.DNS:
        _check_dns(monitor, errors)
    if kind == MonitorKind.SNMP:
        _check_snmp(monitor, errors)
    if kind in {
        MonitorKind.HTTP,
        MonitorKind.TCP,
        MonitorKind.ICMP,
        MonitorKind.DNS,
        MonitorKind.SNMP,
    }:
        if monitor.latency_limit_ms is not None and (
            problem := _int_error(monitor.latency_limit_ms, 1, None, "latency limit", "延迟上限")
        ):
            errors["latency_limit_ms"] = problem
        _check_schedule(monitor, errors, active_regions=active_regions)
    if kind == MonitorKind.PUSH:
        _check_push(monitor, errors)
    if not isinstance(monitor.enabled, bool):
        errors["enabled"] = bilingual("Enabled is true or false", "“启用”只能是是或否")
    if errors:
        raise refuse(errors)


def _check_http(monitor: Monitor, errors: dict[str, str]) -> None:
    if monitor.http_method not in HttpMethod.values:
        errors["http_method"] = bilingual(
            f"Unknown HTTP method {monitor.http_method!r}; use one of "
            f"{', '.join(HttpMethod.values)}",
            f"未知的 HTTP 方法 {monitor.http_method!r}，可用：{', '.join(HttpMethod.values)}",
        )
    if monitor.http_headers is None:
        monitor.http_headers = {}
    if problem := _headers_error(monitor.http_headers):
        errors["http_headers"] = problem
    else:
        monitor.http_headers = dict(monitor.http_headers)
    try:
        monitor.expected_status = _status_text(parse_expected_status(monitor.expected_status))
    except ValueError as exc:
        errors["expected_status"] = str(exc)
    monitor.http_body = str(monitor.http_body or "")
    monitor.keyword = str(monitor.keyword or "")
    if monitor.cert_min_days is not None and (
        problem := _int_error(
            monitor.cert_min_days, 0, 3650, "minimum days left on the certificate", "证书剩余天数"
        )
    ):
        errors["cert_min_days"] = problem
    for flag in ("keyword_absent", "verify_tls"):
        if not isinstance(getattr(monitor, flag), bool):
            errors[flag] = bilingual(f"{flag} is true or false", f"{flag} 只能是是或否")


def _check_dns(monitor: Monitor, errors: dict[str, str]) -> None:
    rtype = str(monitor.dns_record_type or "").upper()
    if rtype not in DnsRecordType.values:
        errors["dns_record_type"] = bilingual(
            f"Unknown DNS record type {monitor.dns_record_type!r}; use one of "
            f"{', '.join(DnsRecordType.values)}",
            f"未知的 DNS 记录类型 {monitor.dns_record_type!r}，可用："
            f"{', '.join(DnsRecordType.values)}",
        )
    monitor.dns_record_type = rtype
    expected = split_list(monitor.dns_expected or "")
    version = {"A": 4, "AAAA": 6}.get(rtype)
    if version is not None:
        wrong = [v for v in expected if not _is_ip(v, version)]
        if wrong:
            errors["dns_expected"] = bilingual(
                f"An {rtype} answer is an IPv{version} address; {wrong[0]!r} is not",
                f"{rtype} 记录的答案是 IPv{version} 地址，{wrong[0]!r} 不是",
            )
        else:
            expected = [str(ipaddress.ip_address(v)) for v in expected]
    monitor.dns_expected = ", ".join(expected)
    monitor.dns_server = str(monitor.dns_server or "").strip()
    if monitor.dns_server and not _dns_server_ok(monitor.dns_server):
        errors["dns_server"] = bilingual(
            f"The DNS server {monitor.dns_server!r} is not an IP address with an optional "
            "port; write e.g. 223.5.5.5, 10.0.0.53:5353 or [2001:db8::53]:53",
            f"DNS 服务器 {monitor.dns_server!r} 不是 IP 地址（可带端口），例如 223.5.5.5、"
            "10.0.0.53:5353 或 [2001:db8::53]:53",
        )


def _check_schedule(
    monitor: Monitor, errors: dict[str, str], *, active_regions: Set[str] | None
) -> None:
    interval_error = _int_error(
        monitor.interval_s, 1, 86_400, "interval (seconds)", "检查间隔（秒）"
    )
    if interval_error:
        errors["interval_s"] = interval_error
    timeout = monitor.timeout_s
    if is_int(timeout) or isinstance(timeout, float):
        monitor.timeout_s = float(timeout)
        if not 0.1 <= monitor.timeout_s <= 120:
            errors["timeout_s"] = bilingual(
                f"The timeout must be from 0.1 to 120 seconds, not {timeout}",
                f"超时必须在 0.1 到 120 秒之间，而不是 {timeout}",
            )
        elif not interval_error and monitor.timeout_s >= monitor.interval_s:
            errors["timeout_s"] = bilingual(
                f"The timeout ({timeout:g} s) must be shorter than the interval "
                f"({monitor.interval_s} s)",
                f"超时（{timeout:g} 秒）必须短于检查间隔（{monitor.interval_s} 秒）",
            )
    else:
        errors["timeout_s"] = bilingual(
            f"The timeout is a number of seconds, not {timeout!r}",
            f"超时是秒数，而不是 {timeout!r}",
        )
    if problem := _int_error(
        monitor.retries, 1, 20, "number of failed checks before down", "判定故障前的失败次数"
    ):
        errors["retries"] = problem
    regions = monitor.regions if monitor.regions is not None else []
    if not isinstance(regions, list | tuple) or not all(isinstance(r, str) for r in regions):
        errors["regions"] = bilingual(
            "Regions are a list of region names", "探测区域必须是区域名称的列表"
        )
        return
    regions = [r.strip() for r in regions if r.strip()]
    monitor.regions = regions
    if len(set(regions)) != len(regions):
        errors["regions"] = bilingual(
            f"A region is named twice in {', '.join(regions)}",
            f"探测区域 {', '.join(regions)} 中有重复",
        )
    elif active_regions is not None:
        known = set(active_regions) | {LOCAL_REGION}
        unknown = [r for r in regions if r not in known]
        if unknown:
            errors["regions"] = bilingual(
                f"No active probe region is named {unknown[0]!r}; use {LOCAL_REGION} or "
                f"one of: {', '.join(sorted(known - {LOCAL_REGION})) or '(none yet)'}",
                f"没有名为 {unknown[0]!r} 的可用探测区域；可用 {LOCAL_REGION} 或："
                f"{', '.join(sorted(known - {LOCAL_REGION})) or '（尚无）'}",
            )
    count = len(regions) or 1
    if problem := _int_error(
        monitor.quorum, 1, 50, "number of regions that must agree", "须一致的区域数"
    ):
        errors["quorum"] = problem
    elif monitor.quorum > count:
        errors["quorum"] = bilingual(
            f"{monitor.quorum} regions must agree, but only {count} check it",
            f"须 {monitor.quorum} 个区域一致，但只有 {count} 个区域检查它",
        )


def _check_push(monitor: Monitor, errors: dict[str, str]) -> None:
    # A heartbeat is checked by its pings, not from regions, and has no target.
    monitor.target = ""
    monitor.regions = []
    monitor.quorum = 1
    if monitor.push_period_s is None:
        errors["push_period_s"] = bilingual(
            "A push monitor needs the period its job calls in (seconds, at least 10)",
            "推送监控需要任务调用的周期（秒，至少 10）",
        )
    elif problem := _int_error(
        monitor.push_period_s, 10, 2_147_483_647, "expected period (seconds)", "预期周期（秒）"
    ):
        errors["push_period_s"] = problem
    if monitor.push_grace_s is None:
        monitor.push_grace_s = 0
    if problem := _int_error(
        monitor.push_grace_s, 0, 2_147_483_647, "grace time (seconds)", "宽限时间（秒）"
    ):
        errors["push_grace_s"] = problem
