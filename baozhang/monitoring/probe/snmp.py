"""The SNMP check: a GET of one OID (v2c or v3), its value judged against an expected
value or range (:mod:`baozhang.core.expectation`).

pysnmp (the maintained 7.x line) does the protocol over asyncio. An SNMP engine keeps
the v3 users it knows by name, so two monitors with the same user name and different
keys must not share one: :class:`SnmpEngines` keeps one engine for every v2c check and
one per distinct set of v3 credentials, for the life of the probe's check context.
No Django.
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import time
from decimal import Decimal
from typing import Any

from pysnmp.hlapi.v3arch.asyncio import (
    CommunityData,
    ContextData,
    ObjectIdentity,
    ObjectType,
    SnmpEngine,
    Udp6TransportTarget,
    UdpTransportTarget,
    UsmUserData,
    get_cmd,
    usmAesBlumenthalCfb192Protocol,
    usmAesBlumenthalCfb256Protocol,
    usmAesCfb128Protocol,
    usmDESPrivProtocol,
    usmHMAC128SHA224AuthProtocol,
    usmHMAC192SHA256AuthProtocol,
    usmHMAC256SHA384AuthProtocol,
    usmHMAC384SHA512AuthProtocol,
    usmHMACMD5AuthProtocol,
    usmHMACSHAAuthProtocol,
    usmNoAuthProtocol,
    usmNoPrivProtocol,
)
from pysnmp.proto import errind
from pysnmp.proto.rfc1902 import Integer, OctetString
from pysnmp.proto.rfc1905 import EndOfMibView, NoSuchInstance, NoSuchObject

from baozhang.core.expectation import judge_reading, parse_number
from baozhang.monitoring.probe.specs import MonitorSpec, bilingual, split_snmp_target

__all__ = ["SnmpEngines", "check_snmp"]

CheckResult = tuple[bool, float | None, str]

_AUTH = {
    "MD5": usmHMACMD5AuthProtocol,
    "SHA": usmHMACSHAAuthProtocol,
    "SHA-224": usmHMAC128SHA224AuthProtocol,
    "SHA-256": usmHMAC192SHA256AuthProtocol,
    "SHA-384": usmHMAC256SHA384AuthProtocol,
    "SHA-512": usmHMAC384SHA512AuthProtocol,
}
# AES-192/256 with the key extension Net-SNMP uses (Blumenthal), as most agents do.
_PRIV = {
    "DES": usmDESPrivProtocol,
    "AES": usmAesCfb128Protocol,
    "AES-192": usmAesBlumenthalCfb192Protocol,
    "AES-256": usmAesBlumenthalCfb256Protocol,
}


# The MIB modules an engine reads when it first sends a request: loaded when it is made.
_ENGINE_MODULES = (
    "SNMPv2-MIB",
    "SNMP-COMMUNITY-MIB",
    "SNMP-TARGET-MIB",
    "SNMP-USER-BASED-SM-MIB",
    "SNMP-VIEW-BASED-ACM-MIB",
    "PYSNMP-USM-MIB",
)


def _new_engine() -> SnmpEngine:
    engine = SnmpEngine()
    engine.get_mib_builder().load_modules(*_ENGINE_MODULES)
    return engine


class SnmpEngines:
    """The SNMP engines of one probe process (see the module's docstring), closed by
    :meth:`close`.

    Making an engine is a second of Python work (it reads pysnmp's MIB modules), so it is
    done on a thread, once per engine, before the check's own timeout starts
    (:meth:`prepare`): the probe's event loop keeps checking meanwhile, and the first
    check of a UPS is not failed for the probe's own start-up."""

    def __init__(self) -> None:
        self._engines: dict[str, SnmpEngine] = {}
        self._making: dict[str, asyncio.Future[SnmpEngine]] = {}

    async def prepare(self, spec: MonitorSpec) -> None:
        """Make the engine ``spec`` needs, unless it exists. Concurrent checks that need
        the same engine wait for the one being made."""
        key = self._key(spec)
        if key in self._engines:
            return
        making = self._making.get(key)
        if making is None:
            making = self._making[key] = asyncio.ensure_future(asyncio.to_thread(_new_engine))
        try:
            # shielded: a check cancelled meanwhile does not cancel the making
            engine = await asyncio.shield(making)
        finally:
            if making.done():
                self._making.pop(key, None)
        self._engines.setdefault(key, engine)

    @staticmethod
    def _key(spec: MonitorSpec) -> str:
        if spec.snmp_version == "3":
            creds = "\0".join(
                (
                    spec.snmp_user,
                    spec.snmp_auth_protocol,
                    spec.snmp_auth_key,
                    spec.snmp_priv_protocol,
                    spec.snmp_priv_key,
                )
            )
            return "v3:" + hashlib.sha256(creds.encode()).hexdigest()
        return "v2c"

    def for_spec(self, spec: MonitorSpec) -> SnmpEngine:
        """The engine for ``spec``, made here (on the loop) if :meth:`prepare` was not
        awaited first."""
        key = self._key(spec)
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = _new_engine()
        return engine

    def close(self) -> None:
        """Close every engine's sockets. Safe to call twice."""
        engines = list(self._engines.values())
        self._engines.clear()
        for engine in engines:
            engine.close_dispatcher()


def _auth_data(spec: MonitorSpec) -> CommunityData | UsmUserData:
    if spec.snmp_version != "3":
        return CommunityData(spec.snmp_community, mpModel=1)
    auth = _AUTH[spec.snmp_auth_protocol] if spec.snmp_auth_key else usmNoAuthProtocol
    priv = _PRIV[spec.snmp_priv_protocol] if spec.snmp_priv_key else usmNoPrivProtocol
    return UsmUserData(
        spec.snmp_user,
        authKey=spec.snmp_auth_key or None,
        privKey=spec.snmp_priv_key or None,
        authProtocol=auth,
        privProtocol=priv,
    )


def _value_text(value: Any) -> str:
    """The value as people read it: text for an OCTET STRING that is text, a number for
    the numeric types; an enumerated integer shows its number."""
    if isinstance(value, OctetString):
        raw = bytes(value)
        try:
            return raw.decode("utf-8").strip("\0").strip()
        except UnicodeDecodeError:
            return raw.hex(":")
    if isinstance(value, Integer):
        return str(int(value))
    try:
        return str(int(value))
    except (TypeError, ValueError):
        return str(value.prettyPrint())


def _scaled(text: str, scale: float) -> str:
    if scale == 1.0:
        return text
    number = parse_number(text)
    if number is None:
        return text
    return format((number * Decimal(repr(scale))).normalize(), "f")


def _decimal(value: float | None) -> Decimal | None:
    return None if value is None else parse_number(value)


def _indication_error(indication: Any, timeout: float) -> str:
    if isinstance(indication, errind.RequestTimedOut):
        return bilingual(
            f"no SNMP answer within {timeout:g} s (agent down, wrong community or user?)",
            f"{timeout:g} 秒内无 SNMP 应答（代理未运行，或团体名、用户名不对？）",
        )
    if isinstance(indication, errind.UnknownUserName):
        return bilingual("SNMPv3: unknown user", "SNMPv3：用户名未知")
    if isinstance(indication, errind.WrongDigest):
        return bilingual(
            "SNMPv3: wrong authentication passphrase or protocol", "SNMPv3：认证口令或协议不对"
        )
    if isinstance(indication, errind.DecryptionError):
        return bilingual(
            "SNMPv3: wrong privacy passphrase or protocol", "SNMPv3：加密口令或协议不对"
        )
    if isinstance(indication, errind.UnsupportedSecurityLevel):
        return bilingual(
            "SNMPv3: the agent does not accept this security level",
            "SNMPv3：代理不接受此安全级别",
        )
    why = " ".join(str(indication).split())[:120]
    return bilingual(f"SNMP error: {why}", f"SNMP 错误：{why}")


async def check_snmp(spec: MonitorSpec, engines: SnmpEngines) -> CheckResult:
    """GET ``spec.snmp_oid`` from the agent at ``spec.target`` and judge the value.

    Down when the agent does not answer within the timeout (the caller bounds the whole
    check too), refuses the request, has no such OID, or the value leaves its
    expectation; the error then says the value read and the expectation."""
    host, port = split_snmp_target(spec.target)
    address: tuple[str, int] = (host, port)
    try:
        v6 = ipaddress.ip_address(host).version == 6
    except ValueError:
        v6 = False
    transport_class = Udp6TransportTarget if v6 else UdpTransportTarget
    # One request, no retries: the monitor's own retries decide when it is down.
    transport = await transport_class.create(address, timeout=spec.timeout, retries=0)
    engine = engines.for_spec(spec)
    t0 = time.perf_counter()
    indication, status, _index, var_binds = await get_cmd(
        engine,
        _auth_data(spec),
        transport,
        ContextData(),
        ObjectType(ObjectIdentity(spec.snmp_oid.lstrip("."))),
        lookupMib=False,
    )
    latency = round((time.perf_counter() - t0) * 1000.0, 3)
    if indication:
        return False, None, _indication_error(indication, spec.timeout)
    if status:
        what = status.prettyPrint()
        return (
            False,
            latency,
            bilingual(f"SNMP agent answered {what}", f"SNMP 代理返回错误 {what}"),
        )
    oid = spec.snmp_oid.lstrip(".")
    value = var_binds[0][1] if var_binds else None
    if value is None or isinstance(value, NoSuchObject | NoSuchInstance | EndOfMibView):
        return False, latency, bilingual(f"no such OID {oid}", f"OID {oid} 不存在")
    reading = _scaled(_value_text(value), spec.snmp_scale)
    try:
        verdict = judge_reading(
            reading,
            equals=spec.snmp_expected,
            low=_decimal(spec.snmp_min),
            high=_decimal(spec.snmp_max),
            unit=spec.snmp_unit,
        )
    except ValueError as exc:  # a spec the server validated cannot get here; say so anyway
        return False, latency, str(exc)
    if not verdict.ok:
        return False, latency, bilingual(verdict.en, verdict.zh)
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
