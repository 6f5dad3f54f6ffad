"""The body of one of ``baozhang probe --processes N``'s processes, started with *spawn*:
this module imports nothing of Django's until Django is set up in the new process. How the
monitors are shared out between the processes is shards.py."""

from __future__ import annotations

import asyncio
import logging
import signal


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
