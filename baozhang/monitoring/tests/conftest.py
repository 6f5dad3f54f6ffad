"""Factories for what is monitored: services, monitors of each kind, probe regions, all
made through the catalogue by the service director."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baozhang.catalog import services as service_catalog
from baozhang.catalog.models import Service
from baozhang.monitoring import catalog
from baozhang.monitoring.models import Monitor, ProbeRegion

# A valid monitor of each kind: the settings its kind needs.
KIND_DEFAULTS: dict[str, dict[str, Any]] = {
    "http": {"target": "https://www.example.com/health", "http_headers": {"Accept": "text/html"}},
    "tcp": {"target": "db.example.com:5432"},
    "icmp": {"target": "10.0.0.1"},
    "dns": {"target": "www.example.com", "dns_record_type": "A", "dns_expected": "192.0.2.1"},
    "snmp": {
        "target": "10.0.0.5",
        "snmp_community": "ro-community",
        "snmp_oid": "1.3.6.1.2.1.33.1.2.5.0",
        "snmp_scale": 0.1,
        "snmp_min": 13.2,
        "snmp_max": 13.8,
        "snmp_unit": "V",
    },
    "push": {"push_period_s": 3600, "push_grace_s": 300},
}


@pytest.fixture
def service_factory(personas: Any) -> Callable[..., Service]:
    counter = {"n": 0}

    def make(**kw: Any) -> Service:
        counter["n"] += 1
        kw.setdefault("name", f"云主机 {counter['n']}")
        kw.setdefault("name_en", f"Cloud hosting {counter['n']}")
        return service_catalog.create_service(personas.director, **kw)

    return make


@pytest.fixture
def monitor_factory(personas: Any) -> Callable[..., Monitor]:
    counter = {"n": 0}

    def make(kind: str = "http", **kw: Any) -> Monitor:
        counter["n"] += 1
        kw.setdefault("name", f"{kind} monitor {counter['n']}")
        for key, value in KIND_DEFAULTS[kind].items():
            kw.setdefault(key, value)
        return catalog.create_monitor(personas.director, kind=kind, **kw)

    return make


@pytest.fixture
def region_factory(personas: Any) -> Callable[..., tuple[ProbeRegion, str]]:
    def make(name: str = "beijing-1", description: str = "") -> tuple[ProbeRegion, str]:
        return catalog.create_region(personas.director, name=name, description=description)

    return make
