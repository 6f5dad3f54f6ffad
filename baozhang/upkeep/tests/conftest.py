from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from baozhang.accounts.models import Role
from baozhang.assets import services as assets
from baozhang.upkeep import services
from baozhang.upkeep.models import Plan

UPS_STEPS = [
    {
        "title": "Battery float voltage / 电池浮充电压",
        "requirement": "range",
        "low": Decimal("13.2"),
        "high": Decimal("13.8"),
        "unit": "V",
    },
    {
        "title": "Room temperature / 机房温度",
        "requirement": "range",
        "low": Decimal(18),
        "high": Decimal(27),
        "unit": "°C",
    },
    {"title": "Fans running / 风扇运转", "requirement": "yes_no", "expected_yes": True},
]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def engineer2(personas: Any, user_factory: Callable[..., Any]) -> Any:
    return user_factory(personas.operator, [Role.ENGINEER], username="engineer2")


@pytest.fixture
def ups(personas: Any) -> Any:
    return assets.create_asset(
        personas.engineer, name="UPS-1 机房A", kind="ups", owner=personas.operator
    )


@pytest.fixture
def ups_plan(personas: Any, ups: Any, engineer2: Any) -> Callable[..., Plan]:
    def make(**kw: Any) -> Plan:
        fields = {
            "item": "UPS monthly check / UPS 月度巡检",
            "period": "monthly",
            "starts_on": dt.date(2026, 1, 1),
            "team_name": "Power team / 动力班",
            "time_limit_days": 10,
            "lead_days": 7,
        }
        fields.update(kw)
        return services.create_plan(
            personas.director,
            assets=kw.pop("assets", [ups]),
            team=[personas.engineer, engineer2],
            supervisors=[personas.director],
            steps=UPS_STEPS,
            **{k: v for k, v in fields.items() if k != "assets"},
        )

    return make
