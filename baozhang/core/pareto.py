"""Pareto ordering of counts (Q2: the top causes of a period).

Framework-free: the counts come from whoever counted them (cause analysis), the order and
the shares are computed here once.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ParetoRow:
    key: Hashable
    count: int
    share: float  # of the total, 0–1
    cumulative_share: float  # this row and every row above it, 0–1


def pareto(
    counts: Mapping[Hashable, int], order: Mapping[Hashable, int] | None = None
) -> list[ParetoRow]:
    """The non-zero counts, largest first (ties in ``order``'s rank, then as given), each
    with its share of the total and the cumulative share down to it. The last row's
    cumulative share is exactly 1. No rows for a zero total."""
    rank = order or {}
    keys = list(counts)
    items = [(k, n) for k, n in counts.items() if n > 0]
    if any(n < 0 for n in counts.values()):
        raise ValueError("counts must not be negative / 计数不能为负")
    items.sort(key=lambda kv: (-kv[1], rank.get(kv[0], len(keys)), keys.index(kv[0])))
    total = sum(n for _k, n in items)
    rows: list[ParetoRow] = []
    running = 0
    for key, n in items:
        running += n
        rows.append(ParetoRow(key, n, n / total, running / total))
    return rows
