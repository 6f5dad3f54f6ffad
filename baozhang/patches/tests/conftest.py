from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baozhang.assets import services as assets

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    return lambda name: (FIXTURES / name).read_bytes()


@pytest.fixture
def servers(personas: Any) -> list[Any]:
    """Three web servers of the operator, web-1 with the engineer responsible."""
    made = [
        assets.create_asset(
            personas.engineer, name=f"web-{n}", kind="server", owner=personas.operator
        )
        for n in (1, 2, 3)
    ]
    made[0].responsible.add(personas.engineer)
    return made
