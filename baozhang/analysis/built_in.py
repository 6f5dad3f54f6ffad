"""The eight cause categories of the seed (Q2), built in: key, Chinese name, English name.

Migration 0002 creates them; :func:`baozhang.analysis.services.ensure_built_in_categories`
puts back any that a test database's flush removed (the demo calls it). Adding one here
needs a data migration that creates it too.
"""

from __future__ import annotations

BUILT_IN: tuple[tuple[str, str, str], ...] = (
    ("hardware", "硬件", "Hardware"),
    ("software", "软件", "Software"),
    ("link", "线路或运营商", "Link or carrier"),
    ("power", "电源或环境", "Power or environment"),
    ("human", "人为", "Human"),
    ("attack", "攻击", "Attack"),
    ("customer", "客户侧", "Customer side"),
    ("force_majeure", "不可抗力", "Force majeure"),
)
