from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from baozhang.sla import services
from baozhang.sla.models import Agreement


@pytest.fixture
def agreement_factory(personas: Any) -> Callable[..., Agreement]:
    counter = {"n": 0}

    def make(customer: Any = None, **kw: Any) -> Agreement:
        counter["n"] += 1
        kw.setdefault("reference", f"SLA-2026-{counter['n']:03d}")
        kw.setdefault("title", "云主机托管 Cloud hosting")
        kw.setdefault("monthly_fee", Decimal("10000.00"))
        return services.create_agreement(
            personas.director, customer=customer or personas.org_a, **kw
        )

    return make


@pytest.fixture
def active_agreement(personas: Any, agreement_factory: Callable[..., Agreement]) -> Agreement:
    """An active agreement of customer A: 99.9 % availability a month on 24x7 with the
    tiers of the seed's example, and an announced-maintenance exemption clause."""
    import datetime as dt

    agreement = agreement_factory(starts_on=dt.date(2026, 10, 1))
    services.add_target(
        personas.director,
        agreement,
        name="网络可用率 Network availability",
        kind="availability",
        objective=Decimal("99.9"),
        calendar_key="24x7",
        tiers=[
            {"threshold": "99.9", "credit_percent": "10"},
            {"threshold": "99", "credit_percent": "25"},
        ],
    )
    services.add_clause(
        personas.director,
        agreement,
        kind="announced_maintenance",
        text="提前 24 小时通知的维护 Maintenance announced 24 hours ahead",
    )
    services.transition(personas.director, agreement, "negotiate")
    services.transition(personas.director, agreement, "activate")
    agreement.refresh_from_db()
    return agreement
