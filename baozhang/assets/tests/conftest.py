from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from baozhang.assets import services
from baozhang.assets.models import Asset


@pytest.fixture
def asset_factory(personas: Any) -> Callable[..., Asset]:
    counter = {"n": 0}

    def make(**kw: Any) -> Asset:
        counter["n"] += 1
        kw.setdefault("name", f"服务器 {counter['n']}")
        kw.setdefault("kind", "server")
        kw.setdefault("owner", personas.operator)
        return services.create_asset(personas.engineer, **kw)

    return make
