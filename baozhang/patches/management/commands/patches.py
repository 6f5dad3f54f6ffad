"""`baozhang patches import-advisories FILE [--format debian|csv] [--release R]`,
`baozhang patches import-inventory FILE` and `baozhang patches alarm` (the periodic job
by hand). A bad file imports nothing: every bad row is named, in both languages, and the
command exits 1. The Debian security tracker's whole JSON (tens of MB) imports here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser

from baozhang.cli import SchemaCommand
from baozhang.patches import files, services
from baozhang.patches.models import AdvisorySource
from baozhang.patches.tasks import alarm_overdue

MAX_FILE_BYTES = 512 * 1024 * 1024


class Command(SchemaCommand):
    help = (
        "补丁：导入安全公告或软件清单，逾期告警 / Patches: import advisories or software "
        "inventories, alarm overdue patches."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=["import-advisories", "import-inventory", "alarm"],
            help="import-advisories 导入安全公告 | import-inventory 导入软件清单 | alarm 逾期告警",
        )
        parser.add_argument("file", nargs="?", help="导入的文件 / the file to import")
        parser.add_argument(
            "--format",
            choices=["debian", "csv"],
            default="debian",
            help="安全公告文件格式 / the advisories' file format (debian: the tracker's JSON)",
        )
        parser.add_argument(
            "--release",
            default="bookworm",
            help="取其修复版本的 Debian 发行版 / the Debian release whose fixes are taken",
        )

    def _read(self, name: str | None) -> bytes:
        if not name:
            raise CommandError("请给出要导入的文件 / give the file to import")
        path = Path(name)
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError("文件超过 512 MB / the file is larger than 512 MB")
            return path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"无法读取 {path}：{exc.strerror} / cannot read {path}: {exc.strerror}"
            ) from None

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "alarm":
            count = alarm_overdue()
            self.stdout.write(f"逾期告警 {count} 条 / {count} overdue patches alarmed")
            return
        data = self._read(options["file"])
        try:
            if action == "import-inventory":
                count = services.import_inventory(None, files.inventory_from_csv(data))
                self.stdout.write(
                    f"已导入 {count} 个资产的软件清单 / inventories imported for {count} assets"
                )
                return
            if options["format"] == "debian":
                rows = files.advisories_from_debian(data, options["release"], limit=MAX_FILE_BYTES)
                source = AdvisorySource.DEBIAN
            else:
                rows = files.advisories_from_csv(data)
                source = AdvisorySource.CSV
            created, updated = services.import_advisories(None, rows, source=source)
        except ValidationError as exc:
            for texts in exc.message_dict.values():
                for text in texts:
                    self.stderr.write(text)
            raise CommandError("未导入任何内容 / nothing imported") from None
        self.stdout.write(
            f"安全公告：新增 {created}，更新 {updated} / "
            f"advisories: {created} new, {updated} updated"
        )
