"""`baozhang assets import FILE [--dry-run]` and `baozhang assets export -o FILE`: the asset
register as XLSX or CSV (baozhang/assets/tabular.py). A NetBox device export (CSV) imports
as it is. A bad file imports nothing: every bad row and column is named, in both
languages, and the command exits 1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.assets.tabular import FileProblem, export_assets, import_assets
from baozhang.cli import SchemaCommand

MAX_FILE_BYTES = 200 * 1024 * 1024


class Command(SchemaCommand):
    help = (
        "资产登记导入导出（XLSX、CSV、NetBox 设备导出） / Import or export the asset register "
        "(XLSX, CSV, a NetBox device export)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action", choices=["import", "export"], help="import 导入 | export 导出"
        )
        parser.add_argument("file", nargs="?", help="导入的文件 / the file to import")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="只检查并显示将要做的改动，不写入 / check and show what would change; "
            "write nothing",
        )
        parser.add_argument(
            "-o", "--output", help="导出文件（.xlsx 或 .csv） / the file to write (.xlsx or .csv)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            if not options["output"]:
                raise CommandError("请用 -o 指定输出文件 / give the output file with -o")
            count = export_assets(options["output"])
            self.stderr.write(
                f"已导出 {count} 项资产到 {options['output']} / {count} assets written to "
                f"{options['output']}"
            )
            return
        if not options["file"]:
            raise CommandError("请给出要导入的文件 / give the file to import")
        path = Path(options["file"])
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError("文件超过 200 MB / the file is larger than 200 MB")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"无法读取 {path}：{exc.strerror} / cannot read {path}: {exc.strerror}"
            ) from None
        try:
            report = import_assets(path.name, data, dry_run=options["dry_run"])
        except FileProblem as exc:
            raise CommandError(str(exc)) from None
        for line in report.lines():
            (self.stdout if report.ok else self.stderr).write(line)
        if not report.ok:
            raise CommandError("未导入任何内容 / nothing was imported", returncode=1)
