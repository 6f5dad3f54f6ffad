from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from baozhang.web.server import serve


class Command(BaseCommand):
    help = "Serve the web role only (run `baozhang migrate` first). / 仅运行网站。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Serving on http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        serve(options["host"], options["port"], with_worker=False)
