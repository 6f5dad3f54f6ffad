"""The rules of an SNMP monitor's settings (beside :mod:`baozhang.monitoring.rules`, which
calls :func:`check_snmp`): version, credentials, OID and what its value must be. Pure
checks on an unsaved ``Monitor``; every message names the field, the value and what would
be accepted, in English and Chinese."""

from __future__ import annotations

import math
import re

from baozhang.core.sla_text import bilingual
from baozhang.monitoring.models import Monitor, SnmpAuthProtocol, SnmpPrivProtocol, SnmpVersion

__all__ = ["check_snmp"]

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]{0,9})){1,127}$")


def _number(value: object) -> float | str | None:
    """A float from a number or numeric text; None for empty; the text back when it is
    not a number (the caller names it)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    try:
        number = float(str(value).strip()) if isinstance(value, str) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    return number if math.isfinite(number) else str(value)


def check_snmp(monitor: Monitor, errors: dict[str, str]) -> None:
    """Validate and normalise ``monitor``'s SNMP settings in place; add each problem to
    ``errors`` under its field's name."""
    version = str(monitor.snmp_version or "")
    if version not in SnmpVersion.values:
        errors["snmp_version"] = bilingual(
            f"Unknown SNMP version {version!r}; use 2c or 3",
            f"未知的 SNMP 版本 {version!r}，可用 2c 或 3",
        )
    for name in ("snmp_community", "snmp_user", "snmp_oid", "snmp_expected", "snmp_unit"):
        setattr(monitor, name, str(getattr(monitor, name) or "").strip())
    monitor.snmp_auth_key = str(monitor.snmp_auth_key or "")
    monitor.snmp_priv_key = str(monitor.snmp_priv_key or "")
    oid = monitor.snmp_oid.lstrip(".")
    if not _OID.match(oid):
        errors["snmp_oid"] = bilingual(
            f"The OID {monitor.snmp_oid!r} is not a numeric OID; write it in numbers with dots, "
            "e.g. 1.3.6.1.2.1.33.1.2.5.0 (UPS-MIB battery voltage)",
            f"OID {monitor.snmp_oid!r} 不是数字形式的 OID，请用点分数字，例如 "
            "1.3.6.1.2.1.33.1.2.5.0（UPS-MIB 电池电压）",
        )
    else:
        monitor.snmp_oid = oid
    if version == SnmpVersion.V2C and not monitor.snmp_community:
        errors["snmp_community"] = bilingual(
            "An SNMPv2c monitor needs the agent's community (its read-only community string)",
            "SNMPv2c 监控需要代理的团体名（只读团体字符串）",
        )
    if version == SnmpVersion.V3:
        _check_snmp_v3(monitor, errors)
    numbers: dict[str, float | None] = {}
    for name, en, zh in (
        ("snmp_min", "lowest allowed value", "允许的最小值"),
        ("snmp_max", "highest allowed value", "允许的最大值"),
        ("snmp_scale", "scale", "换算系数"),
    ):
        value = _number(getattr(monitor, name))
        if isinstance(value, str):
            errors[name] = bilingual(
                f"The {en} must be a number, not {value!r}", f"{zh}必须是数字，而不是 {value!r}"
            )
            value = None
        numbers[name] = value
        setattr(monitor, name, value)
    if monitor.snmp_scale is None and "snmp_scale" not in errors:
        monitor.snmp_scale = 1.0
    elif monitor.snmp_scale is not None and monitor.snmp_scale <= 0:
        errors["snmp_scale"] = bilingual(
            f"The scale must be above 0, not {monitor.snmp_scale:g}",
            f"换算系数必须大于 0，而不是 {monitor.snmp_scale:g}",
        )
    lo, hi = numbers["snmp_min"], numbers["snmp_max"]
    if lo is not None and hi is not None and lo > hi:
        errors["snmp_max"] = bilingual(
            f"The highest allowed value {hi:g} is below the lowest {lo:g}",
            f"允许的最大值 {hi:g} 小于最小值 {lo:g}",
        )
    if monitor.snmp_expected and (lo is not None or hi is not None):
        errors["snmp_expected"] = bilingual(
            "Give an expected value or a range (lowest, highest), not both",
            "期望值与范围（最小值、最大值）只能填其一",
        )


def _check_snmp_v3(monitor: Monitor, errors: dict[str, str]) -> None:
    if not monitor.snmp_user:
        errors["snmp_user"] = bilingual(
            "An SNMPv3 monitor needs the user name the agent knows",
            "SNMPv3 监控需要代理上配置的用户名",
        )
    if monitor.snmp_auth_protocol not in SnmpAuthProtocol.values:
        errors["snmp_auth_protocol"] = bilingual(
            f"Unknown SNMPv3 authentication protocol {monitor.snmp_auth_protocol!r}; use one "
            f"of {', '.join(SnmpAuthProtocol.values)}",
            f"未知的 SNMPv3 认证协议 {monitor.snmp_auth_protocol!r}，可用："
            f"{', '.join(SnmpAuthProtocol.values)}",
        )
    if monitor.snmp_priv_protocol not in SnmpPrivProtocol.values:
        errors["snmp_priv_protocol"] = bilingual(
            f"Unknown SNMPv3 privacy protocol {monitor.snmp_priv_protocol!r}; use one of "
            f"{', '.join(SnmpPrivProtocol.values)}",
            f"未知的 SNMPv3 加密协议 {monitor.snmp_priv_protocol!r}，可用："
            f"{', '.join(SnmpPrivProtocol.values)}",
        )
    for name, en, zh in (
        ("snmp_auth_key", "authentication passphrase", "认证口令"),
        ("snmp_priv_key", "privacy passphrase", "加密口令"),
    ):
        key = getattr(monitor, name)
        if key and len(key) < 8:
            errors[name] = bilingual(
                f"The SNMPv3 {en} must have at least 8 characters (RFC 3414)",
                f"SNMPv3 {zh}至少需要 8 个字符（RFC 3414）",
            )
    if monitor.snmp_priv_key and not monitor.snmp_auth_key:
        errors.setdefault(
            "snmp_auth_key",
            bilingual(
                "SNMPv3 privacy needs authentication too: give the authentication passphrase",
                "SNMPv3 加密需要同时认证：请填写认证口令",
            ),
        )
