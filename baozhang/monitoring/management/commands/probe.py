"""`baozhang probe`: the probe engine alone, on this server (region ``local``) or, with
``--server``, as a remote region's agent (N1) that talks to the server over the API."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from baozhang.monitoring.models import LOCAL_REGION


class Command(BaseCommand):
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
            "--spool",
            default="",
            help="local spool file for results while the server is unreachable",
        )

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

        asyncio.run(main())
        self.stdout.write("stopped / 已停止")
