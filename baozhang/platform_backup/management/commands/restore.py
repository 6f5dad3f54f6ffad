"""`baozhang restore FILE` into an empty database (thin: see services)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baozhang.platform_backup import archive, services
from baozhang.platform_backup.progress import Bar


class Command(BaseCommand):
    # No system checks: a restore must not depend on the URL configuration importing.
    requires_system_checks: list[str] = []
    help = (
        "从备份文件恢复整个平台到空数据库（无表时先建表）。 / "
        "Restore the whole platform from a backup file into an empty database "
        "(created first when it has no tables)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--replace",
            "--force",
            action="store_true",
            help="覆盖已有数据 / replace the data the database already holds",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="不恢复附件 / leave MEDIA_ROOT alone"
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="恢复后核对各表 / afterwards compare every table with the manifest",
        )
        parser.add_argument(
            "--keep-schema",
            action="store_true",
            help="停在备份时的表结构版本 / stay at the archive's schema version",
        )
        # Used by `backup --verify`: write the comparison as JSON to this file.
        parser.add_argument("--check-report", metavar="PATH", help=argparse_suppress())

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        bar = Bar(self.stdout, "恢复 restore") if sys.stdout.isatty() else None
        try:
            result = services.restore(
                path,
                replace=options["replace"],
                files=not options["no_files"],
                to_current_schema=not options["keep_schema"],
                progress=bar,
            )
        except (archive.ArchiveError, services.BackupError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已恢复 {result.tables} 张表 {result.rows} 行、{result.files} 个文件。\n"
            f"Restored {result.tables} tables, {result.rows} rows, {result.files} files."
        )
        if options["check"] or options["check_report"]:
            reader = archive.Reader(path)
            manifest = reader.manifest
            reader.close()
            differences = services.compare_with_database(manifest)
            if options["check_report"]:
                Path(options["check_report"]).write_text(
                    json.dumps([asdict(d) for d in differences]), encoding="utf-8"
                )
            for d in differences:
                self.stdout.write(f"  {d.name}: {d.what} {d.expected} ≠ {d.found}")
            if differences:
                raise CommandError(
                    f"核对未通过：{len(differences)} 处不符 / "
                    f"Check failed: {len(differences)} differences"
                )
            self.stdout.write("核对通过 / Checked: every table matches the manifest.")


def argparse_suppress() -> str:
    import argparse

    return argparse.SUPPRESS
