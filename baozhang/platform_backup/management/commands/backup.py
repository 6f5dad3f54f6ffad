"""`baozhang backup -o FILE` and `baozhang backup --verify FILE` (thin: see services)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baozhang.cli import require_schema
from baozhang.platform_backup import archive, services
from baozhang.platform_backup.progress import Bar


class Command(BaseCommand):
    # No system checks: a restore must not depend on the URL configuration importing.
    requires_system_checks: list[str] = []
    help = (
        "备份整个平台（全部数据表与附件）到一个文件，或校验一个备份文件。 / "
        "Back up the whole platform (every table and the attachments) to one file, "
        "or verify a backup file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("-o", "--output", metavar="FILE", help="备份文件 / archive to write")
        what.add_argument(
            "--verify",
            metavar="FILE",
            help="恢复到临时库并核对清单 / restore into a scratch database and compare",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="不含附件 / leave MEDIA_ROOT out"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["verify"]:
            self._verify(Path(options["verify"]))
            return
        require_schema("backup", migrations=False)
        path = Path(options["output"])
        if path.exists():
            raise CommandError(f"文件已存在，未覆盖 / {path} exists; not overwritten")
        bar = Bar(self.stdout, "备份 backup") if sys.stdout.isatty() else None
        try:
            manifest = services.backup(path, progress=bar, include_files=not options["no_files"])
        except services.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"已备份 {len(manifest['tables'])} 张表 {rows} 行、{len(manifest['files'])} 个文件 → "
            f"{path}\nBacked up {len(manifest['tables'])} tables, {rows} rows, "
            f"{len(manifest['files'])} files to {path}"
        )

    def _verify(self, path: Path) -> None:
        try:
            differences = services.verify(path)
        except (archive.ArchiveError, services.BackupError) as exc:
            raise CommandError(str(exc)) from exc
        if differences:
            for d in differences:
                self.stdout.write(f"  {d.name}: {d.what} {d.expected} ≠ {d.found}")
            raise CommandError(
                f"校验未通过：{len(differences)} 处不符 / "
                f"Verification failed: {len(differences)} differences"
            )
        self.stdout.write(
            "校验通过：恢复后各表行数与校验和均与清单一致。\n"
            "Verified: restored, every table's rows and checksum match the manifest."
        )
