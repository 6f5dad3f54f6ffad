from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from baozhang.catalog import services as catalog
from baozhang.changes import services
from baozhang.changes.models import ChangeRequest
from baozhang.maintenance import services as maintenance

SH = ZoneInfo("Asia/Shanghai")


def night(days_ahead: int = 3, hour: int = 1, hours: int = 2) -> tuple[dt.datetime, dt.datetime]:
    """A stretch of work ``days_ahead`` days from now, at ``hour`` local (Shanghai)."""
    day = timezone.now().astimezone(SH).date() + dt.timedelta(days=days_ahead)
    start = dt.datetime.combine(day, dt.time(hour), SH)
    return start, start + dt.timedelta(hours=hours)


@pytest.fixture
def hosting(personas: Any) -> Any:
    """A service customer A uses."""
    return catalog.create_service(
        personas.director, name="主机托管", slug="hosting", customers=[personas.org_a]
    )


@pytest.fixture
def internal(personas: Any) -> Any:
    """A service no customer uses (the operator's own)."""
    return catalog.create_service(personas.director, name="内部网管", slug="nms")


@pytest.fixture
def window(personas: Any, hosting: Any) -> Any:
    """A maintenance window on hosting, 00:00–04:00 three nights ahead (announced now)."""
    start, _end = night(3, 0, 4)
    return maintenance.schedule(
        personas.director,
        title="主机托管升级",
        services=[hosting],
        start=start,
        end=start + dt.timedelta(hours=4),
    )


@pytest.fixture
def change_factory(personas: Any) -> Callable[..., ChangeRequest]:
    def make(**kw: Any) -> ChangeRequest:
        start, end = night()
        fields: dict[str, Any] = {
            "title": "Upgrade the web servers' OpenSSL / 升级 OpenSSL",
            "kind": "upgrade",
            "reason": "Security advisory DSA-1 / 安全公告",
            "risk": "medium",
            "rollback_plan": "Reinstall the previous package / 回退到上一版本",
            "planned_start": start,
            "planned_end": end,
        }
        fields.update(kw)
        actor = fields.pop("actor", personas.engineer)
        return services.create_change(actor, **fields)

    return make
