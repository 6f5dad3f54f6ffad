"""The operator's taxonomy of cause categories (Q2): eight built in, extendable."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from baozhang.analysis import services
from baozhang.analysis.models import CauseCategory
from baozhang.analysis.tests.conftest import category


def test_the_eight_categories_of_the_seed_are_built_in(db: Any) -> None:
    rows = list(CauseCategory.objects.values_list("key", "name", "name_en", "built_in"))
    assert rows == [
        ("hardware", "硬件", "Hardware", True),
        ("software", "软件", "Software", True),
        ("link", "线路或运营商", "Link or carrier", True),
        ("power", "电源或环境", "Power or environment", True),
        ("human", "人为", "Human", True),
        ("attack", "攻击", "Attack", True),
        ("customer", "客户侧", "Customer side", True),
        ("force_majeure", "不可抗力", "Force majeure", True),
    ]


def test_a_quality_inspector_adds_renames_and_deactivates(inspector: Any) -> None:
    added = services.create_category(
        inspector, key="Vendor-bug", name="厂商缺陷", name_en="Vendor defect", position=85
    )
    assert (added.key, added.built_in, added.active) == ("vendor-bug", False, True)
    services.update_category(inspector, category("power"), name="供电或机房环境")
    services.update_category(inspector, category("attack"), active=False)
    assert category("power").name == "供电或机房环境"
    assert category("power").name_en == "Power or environment"
    assert not category("attack").active


def test_a_built_in_category_is_never_deleted(inspector: Any) -> None:
    with pytest.raises(ValidationError, match="built-in"):
        services.delete_category(inspector, category("hardware"))
    assert CauseCategory.objects.filter(key="hardware").exists()


def test_a_category_in_use_is_deactivated_not_deleted(inspector: Any, analysed: Any) -> None:
    own = services.create_category(inspector, key="vendor", name="厂商", name_en="Vendor")
    analysed(key="vendor")
    with pytest.raises(ValidationError, match="deactivate"):
        services.delete_category(inspector, own)
    unused = services.create_category(inspector, key="spare", name="备用", name_en="Spare")
    services.delete_category(inspector, unused)
    assert not CauseCategory.objects.filter(key="spare").exists()


def test_an_agent_may_not_change_the_taxonomy(personas: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.create_category(personas.agent, key="x", name="某", name_en="X")
    with pytest.raises(PermissionDenied):
        services.update_category(personas.agent, category("human"), active=False)


def test_a_duplicate_key_or_a_missing_name_is_refused(inspector: Any) -> None:
    with pytest.raises(ValidationError, match="exists"):
        services.create_category(inspector, key="hardware", name="硬件2", name_en="Hardware 2")
    with pytest.raises(ValidationError, match="English"):
        services.create_category(inspector, key="noname", name="无", name_en=" ")
