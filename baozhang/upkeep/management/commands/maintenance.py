"""`baozhang maintenance generate [--until DATE] [--plan ID]`: the periodic job of
maintenance plans by hand (issue 19 §8) — the work orders of every active plan for the
periods running today or starting within each plan's lead days (or up to --until). A
second run adds nothing (one work order per plan, asset and period). A progress bar on a
terminal, one plan a step.

The command is named `maintenance` as the issue asks; it belongs to the maintenance plans
(baozhang/upkeep), not to the announced maintenance windows (baozhang/maintenance)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from baozhang.cli import Progress, SchemaCommand
from baozhang.upkeep import services
from baozhang.upkeep.models import Plan

MAX_AHEAD_DAYS = 3 * 366


class Command(SchemaCommand):
    help = (
        "维护作业计划：生成工单 / Maintenance plans: generate the work orders ahead (`generate`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate"], help="generate 生成工单")
        parser.add_argument(
            "--until",
            help="生成到该日期（YYYY-MM-DD，最多三年） / generate the periods starting up to this "
            "date (YYYY-MM-DD, at most three years ahead)",
        )
        parser.add_argument(
            "--plan", type=int, action="append", help="只处理该计划（可重复） / only this plan"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        until = None
        if options["until"]:
            try:
                until = dt.date.fromisoformat(options["until"])
            except ValueError:
                raise CommandError(
                    f"日期 {options['until']!r} 无效，应为 YYYY-MM-DD / the date "
                    f"{options['until']!r} is not YYYY-MM-DD"
                ) from None
            if until > timezone.localdate(now) + dt.timedelta(days=MAX_AHEAD_DAYS):
                raise CommandError("最多生成三年 / at most three years ahead (--until)")
        plans = Plan.objects.filter(active=True).order_by("pk")
        if options["plan"]:
            plans = plans.filter(pk__in=options["plan"])
            missing = sorted(set(options["plan"]) - set(plans.values_list("pk", flat=True)))
            if missing:
                raise CommandError(
                    f"没有这些启用的计划：{missing} / no active plans with ids {missing}"
                )
        chosen = list(plans)
        progress = Progress(len(chosen), sys.stderr)
        created = services.generate(
            now, until=until, plans=chosen, progress=lambda plan: progress.step(plan.item[:40])
        )
        progress.done()
        self.stdout.write(
            f"已生成 {created} 张工单（{len(chosen)} 个计划） / {created} work orders generated "
            f"({len(chosen)} plans)"
        )
