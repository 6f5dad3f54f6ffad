"""The body of one of ``baozhang probe --processes N``'s processes, started with *spawn*:
this module imports nothing of Django's until Django is set up in the new process. It
also holds how the monitors are shared out between the processes."""

from __future__ import annotations

import asyncio
import logging
import signal

Shard = tuple[int, int]  # (index, count): a process checks ids ≡ index (mod count)
WHOLE: Shard = (0, 1)


def in_shard(monitor_id: int, shard: Shard) -> bool:
    """Whether the probe process of ``shard`` checks monitor ``monitor_id``: each monitor
    falls in exactly one of ``count`` shards."""
    index, count = shard
    return monitor_id % count == index


def run_shard(index: int, count: int, region: str) -> None:
    """Set Django up afresh, then run the local probe on shard ``(index, count)`` until
    SIGTERM or SIGINT."""
    import django

    django.setup()
    logging.getLogger("baozhang").setLevel(logging.INFO)
    from baozhang.monitoring.probe.engine import run_event_loop
    from baozhang.monitoring.runner import run_local

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await run_local(stop, region=region, shard=(index, count))

    run_event_loop(main())
