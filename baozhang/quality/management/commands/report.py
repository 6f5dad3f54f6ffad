"""`baozhang report quality --period 2026-11 [--scope customer:ID|service:ID|region:NAME] --format
json|xlsx|pdf|html [--language zh-hans|en] -o FILE`: the quality statistics of a period
(baozhang/quality/report.py) as a file; on a terminal, a progress bar on stderr while the
statistics, the charts and the file are made (quality/progress.py)."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import translation

from baozhang.cli import SchemaCommand
from baozhang.quality import frozen_cli, submissions_cli
from baozhang.quality.progress import Progress
from baozhang.quality.report import parse_period, quality_report


class Command(SchemaCommand):
    help = (
        "质量统计报表（Q4、Q5）：按统计期与范围输出 JSON、XLSX 或 HTML / The quality "
        "statistics (Q4, Q5) of a period and scope, as JSON, XLSX or HTML."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind",
            choices=["quality", *frozen_cli.SUBCOMMANDS, *submissions_cli.SUBCOMMANDS],
            help="报表种类或冻结报表操作 / the report (quality) or a frozen report's action "
            "(freeze, approve, amend, export, verify: baozhang/quality/frozen_cli.py)",
        )
        parser.add_argument(
            "file",
            nargs="?",
            help="verify：报表文件；submit：报送的文件 / verify: the report file; "
            "submit: the file sent",
        )
        parser.add_argument("--frozen", type=int, help="冻结报表编号 / a frozen report's id")
        parser.add_argument("--as", dest="as_user", help="操作人用户名 / the acting person")
        parser.add_argument("--reason", help="更正原因 / the reason of an amendment")
        parser.add_argument(
            "--period",
            help="统计期 / period: 2026-11, 2026-Q4, 2026 or 2026-11-01..2026-11-30",
        )
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--customer", type=int, help="客户编号 / one customer's id")
        scope.add_argument("--service", type=int, help="服务编号 / one service's id")
        scope.add_argument(
            "--scope",
            help="统计范围 / scope: operator, customer:ID, service:ID or region:NAME",
        )
        parser.add_argument(
            "--format",
            choices=["json", "xlsx", "pdf", "html"],
            default="json",
            help="格式 / format: json, xlsx, pdf or html",
        )
        parser.add_argument(
            "--language",
            choices=["zh-hans", "en"],
            default="zh-hans",
            help="PDF、HTML 的语言 / the language of a PDF or HTML file (default zh-hans)",
        )
        submissions_cli.add_arguments(parser)

        parser.add_argument(
            "-o",
            "--output",
            default="-",
            help="输出文件（- 为标准输出）/ output file (- for stdout)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] in submissions_cli.SUBCOMMANDS:
            submissions_cli.run(options, self.stdout, self.stderr)
            return
        if options["kind"] != "quality":
            frozen_cli.run(options, self.stdout, self.stderr)
            return
        if not options["period"]:
            raise CommandError("请用 --period 指明统计期 / give the period with --period")
        try:
            period = parse_period(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        scope = frozen_cli.scope_of(options)
        fmt = options["format"]
        progress = Progress(3 if fmt == "pdf" else 2, sys.stderr)
        progress.step("统计 / statistics")
        report = quality_report(period, scope, label=options["period"])
        if fmt != "json":
            if options["output"] == "-":
                raise CommandError("请用 -o 指定输出文件 / give the output file with -o")
            # Each format's writer is imported when it is asked for (the PDF's fonts and
            # layout, the workbook, the page's templates): a JSON report needs none of them.
            if fmt == "pdf":
                from baozhang.quality.pdf import write_pdf

                progress.step("图表与排版 / charts and layout")
                write_pdf(report, options["output"], language=options["language"])
            elif fmt == "xlsx":
                from baozhang.quality.xlsx import write_workbook

                progress.step("写入 / writing")
                write_workbook(report, options["output"])
            else:
                from baozhang.quality.views import report_document

                progress.step("写入 / writing")
                with translation.override(options["language"]):
                    text = report_document(report)
                with open(options["output"], "w", encoding="utf-8") as f:
                    f.write(text)
            progress.done()
            self.stderr.write(f"已写入 / written: {options['output']}")
            return
        progress.step("写入 / writing")
        progress.done()
        text = json.dumps(report, ensure_ascii=False, indent=2) + "\n"
        if options["output"] == "-":
            sys.stdout.write(text)
            return
        with open(options["output"], "w", encoding="utf-8") as f:
            f.write(text)
        self.stderr.write(f"已写入 / written: {options['output']}")
