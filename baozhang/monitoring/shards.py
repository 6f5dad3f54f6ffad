"""How the monitors are shared out between the processes of ``baozhang probe --processes
N``. Imports nothing of Django's: a spawned process reads it before Django is set up."""

from __future__ import annotations

Shard = tuple[int, int]  # (index, count): a process checks ids ≡ index (mod count)
WHOLE: Shard = (0, 1)


def in_shard(monitor_id: int, shard: Shard) -> bool:
    """Whether the probe process of ``shard`` checks monitor ``monitor_id``: each monitor
    falls in exactly one of ``count`` shards."""
    index, count = shard
    return monitor_id % count == index
