from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from baozhang.cli import SchemaCommand, hold_connections
from baozhang.web.server import serve


class Command(SchemaCommand):
    waits_for_database = True
    help = "Serve the web role only (run `baozhang migrate` first). / 仅运行网站。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="web processes (e.g. one per core) / 网站进程数（例如每核一个）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # psycopg's pool, at most DATABASE_POOL_MAX (default 8) connections per process:
        # PostgreSQL sees at most workers × that many from this host (docs/deploy.md).
        hold_connections("web")
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        if options["workers"] > 1:
            import uvicorn

            uvicorn.run(
                "baozhang.asgi:application",
                host=options["host"],
                port=options["port"],
                workers=options["workers"],
                lifespan="off",
                access_log=False,
                log_level="warning",
            )
            return
        serve(options["host"], options["port"], with_worker=False)
