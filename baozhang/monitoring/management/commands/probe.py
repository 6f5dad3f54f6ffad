"""`baozhang probe`: the probe engine alone, on this server (region ``local``) or, with
``--server``, as a remote region's agent (N1) that talks to the server over the API."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.process
import signal
import threading
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from baozhang.cli import SchemaCommand
from baozhang.monitoring.models import LOCAL_REGION

log = logging.getLogger(__name__)


class Command(SchemaCommand):
    waits_for_database = True
    help = (
        "Run the probe engine until SIGTERM/SIGINT: locally against the database, or with "
        "--region/--server/--token as a remote region's agent. / 运行探测引擎：本机直连数据库，"
        "或以 --region/--server/--token 作为远程区域探针。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--region", default=LOCAL_REGION, help="region name / 区域名")
        parser.add_argument("--server", default="", help="server URL for a remote agent")
        parser.add_argument("--token", default="", help="the region's token / 区域令牌")
        parser.add_argument(
            "--processes",
            type=int,
            default=settings.PROBE_PROCESSES,
            help=(
                "local probe: engine processes, each checking its share of the monitors "
                "(one per core) / 本机探测进程数，各自检查一部分监控（每核一个）"
            ),
        )
        parser.add_argument(
            "--spool",
            default="",
            help="local spool file for results while the server is unreachable",
        )

    def needs_schema(self, options: dict[str, Any]) -> bool:
        return not options["server"]  # an agent talks to the server, not the database

    def handle(self, *args: Any, **options: Any) -> None:
        logging.getLogger("baozhang").setLevel(logging.INFO)
        region, server, token = options["region"], options["server"], options["token"]
        if server and not token:
            raise CommandError("--server needs --token / 使用 --server 时必须提供 --token")
        if not server and region != LOCAL_REGION:
            raise CommandError(
                "a region other than “local” runs as an agent: give --server and --token / "
                "“local”以外的区域以远程探针运行：请提供 --server 与 --token"
            )
        processes = options["processes"]
        if not 1 <= processes <= 64:
            raise CommandError("--processes must be 1–64 / --processes 必须在 1 到 64 之间")
        if processes > 1 and server:
            raise CommandError(
                "--processes is for the local probe; run more agents for a remote region / "
                "--processes 仅用于本机探测；远程区域请运行多个探针"
            )
        if processes > 1:
            self._run_processes(processes, region)
            self.stdout.write("stopped / 已停止")
            return
        stop = asyncio.Event()

        async def main() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            if server:
                from baozhang.monitoring.probe.agent import run_agent

                spool = Path(options["spool"] or Path(settings.HOME) / f"probe-{region}.spool")
                spool.parent.mkdir(parents=True, exist_ok=True)
                self.stdout.write(f"probe agent · region {region} · server {server}")
                self.stdout.flush()
                await run_agent(
                    server=server.rstrip("/"),
                    token=token,
                    region=region,
                    spool_path=spool,
                    stop=stop,
                )
            else:
                from baozhang.monitoring.runner import run_local

                self.stdout.write(f"probe engine · region {region} (local database)")
                self.stdout.flush()
                await run_local(stop, region=region)

        from baozhang.monitoring.probe.engine import run_event_loop

        run_event_loop(main())
        self.stdout.write("stopped / 已停止")

    def _run_processes(self, count: int, region: str) -> None:
        """``count`` engine processes, process *i* checking the monitors whose id is *i*
        modulo ``count``; one that dies is started again; SIGTERM/SIGINT stop them all."""
        from baozhang.monitoring.shard_child import run_shard

        ctx = multiprocessing.get_context("spawn")
        stopping = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stopping.set())

        def start(index: int) -> multiprocessing.process.BaseProcess:
            proc = ctx.Process(
                target=run_shard, args=(index, count, region), name=f"baozhang-probe-{index}"
            )
            proc.start()
            return proc

        self.stdout.write(f"probe engine · region {region} (local database) · {count} processes")
        self.stdout.flush()
        procs = [start(i) for i in range(count)]
        started = [time.monotonic()] * count
        delays = [1.0] * count
        while not stopping.wait(0.5):
            for i, proc in enumerate(procs):
                if proc.is_alive() or stopping.is_set():
                    continue
                # One that ran a while starts again at once; one that keeps dying waits
                # longer each time (1 s doubling to a minute).
                lasted = time.monotonic() - started[i]
                delays[i] = 1.0 if lasted > 60 else min(60.0, delays[i] * 2)
                log.error(
                    "probe process %d/%d ended (exit %s); starting it again in %.0f s / "
                    "探测进程 %d/%d 已退出（%s），%.0f 秒后重新启动",
                    i + 1,
                    count,
                    proc.exitcode,
                    delays[i],
                    i + 1,
                    count,
                    proc.exitcode,
                    delays[i],
                )
                if stopping.wait(delays[i]):
                    break
                procs[i], started[i] = start(i), time.monotonic()
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(30)
            if proc.is_alive():
                proc.kill()
                proc.join(5)
