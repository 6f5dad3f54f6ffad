from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from baozhang.accounts.models import Role
from baozhang.analysis import services
from baozhang.analysis.models import Analysis, CauseCategory
from baozhang.catalog.models import Service

AT = dt.datetime(2026, 11, 3, 2, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _built_in_categories(db: Any) -> None:
    """The built-in categories, also after a transactional test's flush emptied them."""
    services.ensure_built_in_categories()


@pytest.fixture
def inspector(personas: Any, user_factory: Callable[..., Any]) -> Any:
    return user_factory(personas.operator, [Role.QUALITY_INSPECTOR], username="inspector")


@pytest.fixture
def hosting(db: Any) -> Service:
    return Service.objects.create(name="网站托管", name_en="Web hosting", slug="hosting")


@pytest.fixture
def mail(db: Any) -> Service:
    return Service.objects.create(name="企业邮箱", name_en="Mail", slug="mail")


def category(key: str) -> CauseCategory:
    return CauseCategory.objects.get(key=key)


@pytest.fixture
def analysed(personas: Any) -> Callable[..., Analysis]:
    """An analysis of a made-up subject (ids need not exist: no foreign key upward)."""
    counter = {"n": 0}

    def make(kind: str = "incident", key: str | None = "hardware", **kw: Any) -> Analysis:
        counter["n"] += 1
        kw.setdefault("subject_id", counter["n"])
        kw.setdefault("occurred_at", AT)
        kw.setdefault("subject_label", f"{kind} {kw['subject_id']}")
        if kind == "complaint":
            kw.setdefault("upheld", True)
        return services.analyse(
            personas.engineer,
            subject_kind=kind,
            category=category(key) if key else None,
            **kw,
        )

    return make


@pytest.fixture
def incident_factory(personas: Any, hosting: Service) -> Callable[..., Any]:
    from baozhang.incidents import services as incidents

    def make(**kw: Any) -> Any:
        kw.setdefault("service", hosting)
        kw.setdefault("title", "网站无法访问 Site unreachable")
        kw.setdefault("severity", "critical")
        kw.setdefault("classification", "server_disconnection")
        kw.setdefault("responsibility", "inside")
        return incidents.open_incident(personas.agent, **kw)

    return make
