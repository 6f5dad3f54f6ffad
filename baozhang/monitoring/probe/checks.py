"""The checks (HTTP(S), TCP, ICMP, DNS, SNMP) behind one coroutine, :func:`run_check`.

Every check is bounded by ``spec.timeout`` as a whole and never raises: it returns
``(ok, latency_ms, error)`` with a short "English / 中文" error and no stack trace.
Shared resources (one aiohttp session, DNS resolvers, SNMP engines) live in a
:class:`CheckContext`. The SNMP check is in :mod:`.snmp`.
No Django.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import errno
import ipaddress
import os
import socket
import ssl
import time
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import aiohttp
import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver
import dns.reversename
import icmplib

from baozhang.monitoring.probe.snmp import SnmpEngines, check_snmp
from baozhang.monitoring.probe.specs import (
    MAX_ERROR_CHARS,
    Kind,
    MonitorSpec,
    bilingual,
    parse_status_ranges,
    split_host_port,
    split_server,
)

__all__ = ["KEYWORD_READ_LIMIT", "MAX_REDIRECTS", "CheckContext", "run_check"]

KEYWORD_READ_LIMIT = 1 << 20  # bytes of body searched for a keyword
MAX_REDIRECTS = 5
USER_AGENT = "Baozhang-Probe/1"

UNPRIVILEGED_PING_HELP = bilingual(
    "ping not permitted: allow it with "
    'sysctl -w net.ipv4.ping_group_range="0 2147483647" or give the probe CAP_NET_RAW',
    '不允许 ping：请执行 sysctl -w net.ipv4.ping_group_range="0 2147483647"'
    " 或授予探针 CAP_NET_RAW 权限",
)

CheckResult = tuple[bool, float | None, str]


class _ProbeResponse(aiohttp.ClientResponse):
    """Keeps the TLS object of the connection that carried the response: aiohttp releases
    (and, with force_close, closes) the connection as soon as the body is read, which for
    an empty body is before the caller sees the response."""

    ssl_object: ssl.SSLObject | None = None

    async def start(self, connection: Any) -> aiohttp.ClientResponse:
        transport = connection.transport
        if transport is not None:
            self.ssl_object = transport.get_extra_info("ssl_object")
        return await super().start(connection)


class CheckContext:
    """Resources shared by every check of one probe process: aiohttp sessions whose
    connector closes each connection after use (every check dials anew, as a real probe
    does, so a dead server cannot hide behind a pooled connection) and one DNS resolver
    per DNS server asked. Use ``async with CheckContext() as ctx``.

    Checks of a TLS certificate's days left go through a second session, made when first
    needed, whose responses keep the connection's TLS object (:class:`_ProbeResponse`);
    the others do without that extra step on every response."""

    def __init__(self, *, user_agent: str = USER_AGENT) -> None:
        self._user_agent = user_agent
        self._open = False
        self._sessions: dict[bool, aiohttp.ClientSession] = {}
        self._resolvers: dict[str, dns.asyncresolver.Resolver] = {}
        # None: not tried yet; True/False: whether raw (CAP_NET_RAW) ICMP sockets are needed
        self.icmp_privileged: bool | None = None
        self.snmp = SnmpEngines()

    async def __aenter__(self) -> CheckContext:
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the sessions and SNMP engines. Safe to call twice."""
        self._open = False
        self.snmp.close()
        sessions = list(self._sessions.values())
        self._sessions.clear()
        for session in sessions:
            await session.close()

    def _new_session(self, keep_tls: bool) -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(force_close=True, limit=0, ttl_dns_cache=10),
            timeout=aiohttp.ClientTimeout(total=None),  # run_check bounds each check
            cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": self._user_agent},
            response_class=_ProbeResponse if keep_tls else aiohttp.ClientResponse,
            trust_env=False,  # a probe measures the target, not a proxy
        )

    def http_session(self, *, keep_tls: bool = False) -> aiohttp.ClientSession:
        """The session for HTTP checks; ``keep_tls``: one whose responses carry
        ``ssl_object`` (for the certificate's days left)."""
        session = self._sessions.get(keep_tls)
        if session is None:
            if not self._open:
                raise RuntimeError("CheckContext used outside 'async with'")
            session = self._sessions[keep_tls] = self._new_session(keep_tls)
        return session

    def resolver(self, server: str) -> dns.asyncresolver.Resolver:
        """The resolver for ``server`` (``""``: the system's, from /etc/resolv.conf).
        Answers are not cached: a DNS monitor must ask every time."""
        r = self._resolvers.get(server)
        if r is None:
            if server:
                ip, port = split_server(server)
                r = dns.asyncresolver.Resolver(configure=False)
                r.nameservers = [ip]
                r.port = port
            else:
                r = dns.asyncresolver.Resolver()  # raises NoResolverConfiguration
            r.retry_servfail = False
            self._resolvers[server] = r
        return r


def _ms(seconds: float) -> float:
    return round(seconds * 1000.0, 3)


def _secs(value: float) -> str:
    return f"{value:g}"


def _timeout_error(timeout: float) -> str:
    return bilingual(f"timeout after {_secs(timeout)} s", f"{_secs(timeout)} 秒内无响应（超时）")


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _os_error(exc: OSError, host: str = "") -> str:
    where = f" ({host})" if host else ""
    if isinstance(exc, socket.gaierror):
        return bilingual(f"DNS lookup failed{where}", f"域名解析失败{where}")
    if isinstance(exc, ConnectionRefusedError):
        return bilingual(f"connection refused{where}", f"连接被拒绝{where}")
    if isinstance(exc, ConnectionResetError):
        return bilingual(f"connection reset{where}", f"连接被重置{where}")
    if isinstance(exc, ssl.SSLCertVerificationError):
        why = _clip(exc.verify_message or exc.reason or "")
        return bilingual(f"TLS certificate not trusted: {why}", f"TLS 证书不受信任：{why}")
    if isinstance(exc, ssl.SSLError):
        why = _clip(exc.reason or exc.strerror or type(exc).__name__)
        return bilingual(f"TLS error: {why}", f"TLS 错误：{why}")
    code = exc.errno
    if code in (errno.EHOSTUNREACH, errno.ENETUNREACH):
        return bilingual(f"host unreachable{where}", f"主机不可达{where}")
    what = _clip(exc.strerror or (os.strerror(code) if code else "") or type(exc).__name__)
    return bilingual(f"network error: {what}{where}", f"网络错误：{what}{where}")


def _http_error(exc: Exception) -> str:
    if isinstance(exc, aiohttp.TooManyRedirects):
        return bilingual(f"more than {MAX_REDIRECTS} redirects", f"重定向超过 {MAX_REDIRECTS} 次")
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return _os_error(exc.certificate_error)
    if isinstance(exc, aiohttp.ClientConnectorError):
        host = exc.host
        if isinstance(exc, aiohttp.ClientConnectorDNSError):
            return _os_error(socket.gaierror(), host)
        return _os_error(exc.os_error, host)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return bilingual(
            "server closed the connection without a response", "服务器未响应即关闭连接"
        )
    if isinstance(exc, aiohttp.ClientPayloadError):
        return bilingual("response body broken off", "响应正文不完整")
    if isinstance(exc, aiohttp.ClientResponseError):
        why = _clip(exc.message)
        return bilingual(f"invalid HTTP response: {why}", f"HTTP 响应无效：{why}")
    if isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        return bilingual(f"invalid URL {_clip(str(exc))}", f"网址无效 {_clip(str(exc))}")
    if isinstance(exc, OSError):
        return _os_error(exc)
    return bilingual(f"probe error: {type(exc).__name__}", f"探测出错：{type(exc).__name__}")


def _status_ok(status: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= status <= hi for lo, hi in ranges)


def _der_item(buf: bytes, pos: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER item at ``pos``."""
    tag = buf[pos]
    length = buf[pos + 1]
    pos += 2
    if length & 0x80:
        n = length & 0x7F
        length = int.from_bytes(buf[pos : pos + n], "big")
        pos += n
    return tag, pos, pos + length


def cert_not_after(der: bytes) -> dt.datetime:
    """The ``notAfter`` time of a DER X.509 certificate (aware UTC). Read directly so that
    it works when the peer was not verified (``getpeercert()`` is empty then) without a
    third-party library. Raises ValueError on a malformed certificate."""
    try:
        _, cert, _ = _der_item(der, 0)
        _, pos, _ = _der_item(der, cert)  # tbsCertificate
        tag, _, end = _der_item(der, pos)
        if tag == 0xA0:  # [0] version
            pos = end
        for _ in range(3):  # skip serialNumber, signature, issuer: on to validity
            pos = _der_item(der, pos)[2]
        _, vpos, _ = _der_item(der, pos)
        vpos = _der_item(der, vpos)[2]  # skip notBefore
        tag, start, end = _der_item(der, vpos)
        text = der[start:end].decode("ascii")
        if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
            year = int(text[:2])
            text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
        elif tag != 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
            raise ValueError(tag)
        return dt.datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except (IndexError, ValueError, UnicodeDecodeError) as exc:
        raise ValueError("malformed certificate") from exc


def _cert_days_error(resp: aiohttp.ClientResponse, min_days: int) -> str:
    sslobj = getattr(resp, "ssl_object", None)
    der = sslobj.getpeercert(binary_form=True) if sslobj is not None else None
    if not der:
        return bilingual(
            "no TLS certificate to check (not an https:// address?)",
            "没有可检查的 TLS 证书（不是 https:// 地址？）",
        )
    try:
        not_after = cert_not_after(der)
    except ValueError:
        return bilingual("TLS certificate unreadable", "TLS 证书无法解析")
    days = (not_after.timestamp() - time.time()) / 86400.0
    if days >= min_days:
        return ""
    day = not_after.date().isoformat()
    if days < 0:
        return bilingual(f"TLS certificate expired on {day}", f"TLS 证书已于 {day} 过期")
    left = int(days)
    return bilingual(
        f"TLS certificate expires in {left} days ({day}), fewer than {min_days}",
        f"TLS 证书 {left} 天后（{day}）到期，少于 {min_days} 天",
    )


async def _read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = await resp.content.read(limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


async def _check_http(spec: MonitorSpec, ctx: CheckContext) -> CheckResult:
    t0 = time.perf_counter()
    try:
        async with ctx.http_session(keep_tls=spec.cert_min_days is not None).request(
            spec.http_method,
            spec.target,
            headers=spec.http_headers or None,
            data=spec.http_body.encode() if spec.http_body else None,
            allow_redirects=True,
            max_redirects=MAX_REDIRECTS + 1,  # aiohttp raises on reaching the count
            ssl=spec.verify_tls,  # False: encrypt, but accept any certificate
        ) as resp:
            latency = _ms(time.perf_counter() - t0)  # time to the response headers
            status = resp.status
            if not _status_ok(status, parse_status_ranges(spec.expected_status)):
                return (
                    False,
                    latency,
                    bilingual(
                        f"status {status} not in {spec.expected_status}",
                        f"状态码 {status} 不在 {spec.expected_status} 内",
                    ),
                )
            if spec.keyword:
                body = await _read_limited(resp, KEYWORD_READ_LIMIT)
                text = body.decode(resp.charset or "utf-8", errors="replace")
                found = spec.keyword in text
                kw = _clip(spec.keyword, 60)
                if found and spec.keyword_absent:
                    return (
                        False,
                        latency,
                        bilingual(f"keyword {kw!r} present", f"出现了不应出现的关键字 {kw!r}"),
                    )
                if not found and not spec.keyword_absent:
                    return (
                        False,
                        latency,
                        bilingual(f"keyword {kw!r} missing", f"缺少关键字 {kw!r}"),
                    )
            if spec.cert_min_days is not None:
                err = _cert_days_error(resp, spec.cert_min_days)
                if err:
                    return False, latency, err
    except (aiohttp.ClientError, OSError, ValueError) as exc:
        return False, None, _http_error(exc)
    return _latency_verdict(spec, latency)


def _latency_verdict(spec: MonitorSpec, latency: float) -> CheckResult:
    limit = spec.latency_limit_ms
    if limit is not None and latency > limit:
        return (
            False,
            latency,
            bilingual(
                f"too slow: {latency:.0f} ms > limit {limit} ms",
                f"响应过慢：{latency:.0f} 毫秒，超过上限 {limit} 毫秒",
            ),
        )
    return True, latency, ""


async def _check_tcp(spec: MonitorSpec, ctx: CheckContext) -> CheckResult:
    host, port = split_host_port(spec.target)
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    try:
        transport, _ = await loop.create_connection(asyncio.Protocol, host, port)
    except OSError as exc:
        return False, None, _os_error(exc)
    latency = _ms(time.perf_counter() - t0)
    transport.close()
    return _latency_verdict(spec, latency)


async def _check_icmp(spec: MonitorSpec, ctx: CheckContext) -> CheckResult:
    # Unprivileged ICMP sockets first; if the system refuses them, raw sockets, which work
    # when the probe has CAP_NET_RAW. The answer is remembered for the process.
    host = None
    for privileged in (False, True) if ctx.icmp_privileged is None else (ctx.icmp_privileged,):
        try:
            host = await icmplib.async_ping(
                spec.target, count=1, timeout=spec.timeout, privileged=privileged
            )
        except icmplib.SocketPermissionError:
            continue
        except icmplib.NameLookupError:
            return False, None, bilingual("DNS lookup failed", "域名解析失败")
        except icmplib.ICMPLibError as exc:
            why = _clip(str(exc) or type(exc).__name__)
            return False, None, bilingual(f"ping failed: {why}", f"ping 失败：{why}")
        except OSError as exc:
            return False, None, _os_error(exc)
        ctx.icmp_privileged = privileged
        break
    if host is None:
        return False, None, UNPRIVILEGED_PING_HELP
    if not host.is_alive:
        return False, None, bilingual("no ping reply", "ping 无应答")
    return _latency_verdict(spec, round(float(host.avg_rtt), 3))


def _norm(value: str) -> str:
    value = value.strip().rstrip(".").lower()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def _answer_values(answer: dns.resolver.Answer) -> set[str]:
    values: set[str] = set()
    for rdata in answer:
        values.add(_norm(rdata.to_text()))
        for attr in ("exchange", "target"):  # MX and SRV: the host alone matches too
            name = getattr(rdata, attr, None)
            if name is not None:
                values.add(_norm(str(name)))
        strings = getattr(rdata, "strings", None)  # TXT without the quoting
        if strings is not None:
            values.add(_norm(b"".join(strings).decode("utf-8", errors="replace")))
    return values


async def _check_dns(spec: MonitorSpec, ctx: CheckContext) -> CheckResult:
    rtype = spec.dns_record_type
    name: str | dns.name.Name = spec.target
    if rtype == "PTR":
        with contextlib.suppress(ValueError, dns.exception.SyntaxError):  # else a reverse name
            name = dns.reversename.from_address(spec.target)
    try:
        resolver = ctx.resolver(spec.dns_server)
        t0 = time.perf_counter()
        answer = await resolver.resolve(
            name, dns.rdatatype.from_text(rtype), lifetime=spec.timeout, search=False
        )
        latency = _ms(time.perf_counter() - t0)
    except dns.resolver.NXDOMAIN:
        return False, None, bilingual("no such domain (NXDOMAIN)", "域名不存在（NXDOMAIN）")
    except dns.resolver.NoAnswer:
        return False, None, bilingual(f"no {rtype} record", f"没有 {rtype} 记录")
    except dns.resolver.NoNameservers:
        return (
            False,
            None,
            bilingual(
                "DNS server failed (SERVFAIL or refused)", "DNS 服务器出错（SERVFAIL 或拒绝）"
            ),
        )
    except dns.exception.Timeout:
        return False, None, _timeout_error(spec.timeout)
    except dns.resolver.NoResolverConfiguration:
        return (
            False,
            None,
            bilingual(
                "no system DNS server configured; set the monitor's DNS server",
                "系统未配置 DNS 服务器；请设置监控的 DNS 服务器",
            ),
        )
    except (dns.name.NameTooLong, dns.name.LabelTooLong, dns.name.EmptyLabel):
        return False, None, bilingual("invalid domain name", "域名无效")
    except (dns.exception.DNSException, OSError) as exc:
        why = _clip(str(exc) or type(exc).__name__)
        return False, None, bilingual(f"DNS query failed: {why}", f"DNS 查询失败：{why}")
    if spec.dns_expected:
        got = _answer_values(answer)
        missing = [v for v in spec.dns_expected if _norm(v) not in got]
        if missing:
            want = _clip(", ".join(missing), 80)
            seen = _clip(", ".join(sorted(_norm(r.to_text()) for r in answer)), 80)
            return (
                False,
                latency,
                bilingual(
                    f"DNS answer lacks {want} (got {seen})", f"DNS 应答缺少 {want}（实际 {seen}）"
                ),
            )
    return _latency_verdict(spec, latency)


_CHECKS: dict[str, Callable[[MonitorSpec, CheckContext], Awaitable[CheckResult]]] = {
    Kind.HTTP: _check_http,
    Kind.TCP: _check_tcp,
    Kind.ICMP: _check_icmp,
    Kind.DNS: _check_dns,
    Kind.SNMP: lambda spec, ctx: check_snmp(spec, ctx.snmp),
}


async def run_check(spec: MonitorSpec, ctx: CheckContext) -> CheckResult:
    """Run one check of ``spec``, bounded by ``spec.timeout`` as a whole.

    Returns ``(ok, latency_ms, error)``: latency is the connect time (tcp), the time to the
    response headers (http, redirects included), the round trip (icmp) or the query time
    (dns, snmp), None when nothing was measured; ``error`` is ``""`` when ok, else a short
    "English / 中文" line of at most 300 characters. Never raises (except cancellation).
    """
    if spec.kind == Kind.SNMP:
        # the probe's own one-time set-up (an SNMP engine), not the target: outside the
        # check's timeout, and on a thread (SnmpEngines.prepare)
        try:
            await ctx.snmp.prepare(spec)
        except Exception as exc:
            return False, None, _http_error(exc)
    try:
        async with asyncio.timeout(spec.timeout):
            ok, latency, error = await _CHECKS[spec.kind](spec, ctx)
    except TimeoutError:
        return False, None, _timeout_error(spec.timeout)
    except Exception as exc:  # a bug or an unforeseen library error: report, never crash
        return False, None, _http_error(exc)
    if len(error) > MAX_ERROR_CHARS:
        error = error[: MAX_ERROR_CHARS - 1] + "…"
    return ok, latency, error
