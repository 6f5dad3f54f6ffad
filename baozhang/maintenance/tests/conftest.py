from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from baozhang.catalog.models import Service
from baozhang.maintenance import services
from baozhang.maintenance.models import MaintenanceWindow
from baozhang.monitoring.models import Monitor
from baozhang.notify.models import Channel

SH = ZoneInfo("Asia/Shanghai")
# A Monday morning; maintenance goes into the night of Wednesday to Thursday (M3).
NOW = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SH)
NIGHT = dt.datetime(2026, 10, 15, 2, 0, tzinfo=SH)


@pytest.fixture
def service_factory(db: Any) -> Callable[..., Service]:
    counter = {"n": 0}

    def make(*customers: Any, monitors: int = 1, **kw: Any) -> Service:
        counter["n"] += 1
        n = counter["n"]
        kw.setdefault("name", f"云主机 {n}")
        kw.setdefault("name_en", f"Cloud hosting {n}")
        kw.setdefault("slug", f"hosting-{n}")
        service = Service.objects.create(**kw)
        service.customers.set(customers)
        for m in range(monitors):
            monitor = Monitor.objects.create(
                name=f"web {n}.{m}", kind="http", target=f"https://10.0.{n}.{m}/health"
            )
            monitor.services.add(service)
        return service

    return make


@pytest.fixture
def channels(personas: Any) -> dict[str, Channel]:
    """A webhook for customer A (Chinese) and customer B (English): their notices land in
    the outbox."""
    return {
        org.name: Channel.objects.create(
            organisation=org,
            kind="webhook",
            name=f"{org.name} hook",
            config={"webhook_url": "http://127.0.0.1:9/hook"},
        )
        for org in (personas.org_a, personas.org_b)
    }


@pytest.fixture
def window_factory(personas: Any, service_factory: Callable[..., Service]) -> Callable[..., Any]:
    def make(services_: list[Service] | None = None, **kw: Any) -> MaintenanceWindow:
        kw.setdefault("title", "核心交换机升级")
        kw.setdefault("title_en", "Core switch upgrade")
        kw.setdefault("start", NIGHT)
        kw.setdefault("end", NIGHT + dt.timedelta(hours=4))
        kw.setdefault("now", NOW)
        if services_ is None:
            services_ = [service_factory(personas.org_a)]
        return services.schedule(personas.engineer, services=services_, **kw)

    return make
