"""`baozhang rollups rebuild-months [--since YYYY-MM]`: write again the monthly sums of the
monitors' daily rollups (what a year's 完好率 reads) from the daily rollups stored. The
daily housekeeping keeps them as it rolls days up; this is for months rolled up some
other way (restored rows, a changed time zone)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.cli import SchemaCommand
from baozhang.monitoring.rollups import rebuild_months


class Command(SchemaCommand):
    help = (
        "监控日汇总：重算月汇总 / Monitoring rollups: write the monthly sums again "
        "(`rebuild-months`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild-months"], help="rebuild-months 重算月汇总")
        parser.add_argument(
            "--since",
            help="从该月起（YYYY-MM） / from this month on (YYYY-MM); all months if not given",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        since = None
        if options["since"]:
            try:
                since = dt.date.fromisoformat(f"{options['since']}-01")
            except ValueError:
                raise CommandError(
                    f"月份 {options['since']!r} 无效，应为 YYYY-MM / the month "
                    f"{options['since']!r} is not YYYY-MM"
                ) from None
        written = rebuild_months(since)
        self.stdout.write(f"月汇总 {written} 行 / {written} monthly rows written")
