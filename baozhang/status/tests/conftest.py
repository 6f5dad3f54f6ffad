from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from baozhang.catalog.models import Service
from baozhang.incidents.models import Incident, IncidentUpdate
from baozhang.monitoring.models import Monitor, StateSpell

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def service_factory(db: Any) -> Callable[..., Service]:
    """A service with ``monitors`` monitors (status ``status``), each up since
    ``up_since`` (one open "up" spell) unless ``up_since`` is None."""
    counter = {"n": 0}

    def make(
        *customers: Any,
        monitors: int = 1,
        status: str = "up",
        up_since: dt.datetime | None = None,
        **kw: Any,
    ) -> Service:
        counter["n"] += 1
        n = counter["n"]
        kw.setdefault("name", f"云主机 {n}")
        kw.setdefault("name_en", f"Cloud hosting {n}")
        kw.setdefault("slug", f"hosting-{n}")
        kw.setdefault("position", n)
        service = Service.objects.create(**kw)
        service.customers.set(customers)
        for m in range(monitors):
            monitor = Monitor.objects.create(
                name=f"web {n}.{m}",
                kind="http",
                target=f"https://10.0.{n}.{m}/health",
                status=status,
            )
            monitor.services.add(service)
            if up_since is not None:
                StateSpell.objects.create(monitor=monitor, state="up", start=up_since)
        return service

    return make


def outage(monitor: Monitor, start: dt.datetime, end: dt.datetime, state: str = "down") -> None:
    """Cut the monitor's open-ended or covering spell around a ``state`` spell
    ``[start, end)``, as the ingest would have recorded it."""
    spell = monitor.spells.get(start__lte=start, end__isnull=True)
    StateSpell.objects.filter(pk=spell.pk).update(end=start)
    StateSpell.objects.create(monitor=monitor, state=state, start=start, end=end, reason="test")
    StateSpell.objects.create(monitor=monitor, state=spell.state, start=end)


@pytest.fixture
def incident_factory(db: Any) -> Callable[..., Incident]:
    counter = {"n": 0}

    def make(service: Service, **kw: Any) -> Incident:
        counter["n"] += 1
        detected = kw.pop("detected_at", dt.datetime.now(dt.UTC) - dt.timedelta(hours=2))
        kw.setdefault("reference", f"INC-2026-{counter['n']:04d}")
        kw.setdefault("title", f"访问缓慢 {counter['n']}")
        kw.setdefault("severity", "major")
        # Entered by hand: the title is one staff wrote for the public. (Monitoring's own
        # incidents are shown by service and kind of fault: test_page's loopback test.)
        kw.setdefault("source", "manual")
        return Incident.objects.create(
            service=service,
            detected_at=detected,
            restore_due_at=detected + dt.timedelta(hours=2),
            **kw,
        )

    return make


def update(incident: Incident, message: str, *, is_public: bool = True, **kw: Any) -> None:
    IncidentUpdate.objects.create(
        incident=incident,
        at=kw.pop("at", incident.detected_at + dt.timedelta(minutes=10)),
        status=kw.pop("status", incident.status),
        message=message,
        is_public=is_public,
    )
