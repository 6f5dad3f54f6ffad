from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.accounts.management.token_lines import HEADER, token_line
from baozhang.accounts.models import User
from baozhang.accounts.selectors import tokens_listed
from baozhang.cli import SchemaCommand


class Command(SchemaCommand):
    help = (
        "List API tokens (of USERNAME, or everyone's): prefix, person, made, last used, what "
        "for; never the token itself. / 列出 API 令牌（某用户的或全部）：前缀、用户、创建时间、"
        "最近使用、用途；从不显示令牌本身。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", nargs="?", default=None)
        parser.add_argument("--all", action="store_true", help="revoked ones too / 包括已吊销的")

    def handle(self, *args: Any, username: str | None, **options: Any) -> None:
        if username is not None and not User.objects.filter(username=username).exists():
            raise CommandError(f"no user named {username!r} / 没有名为 {username!r} 的用户")
        tokens = tokens_listed(username, revoked=options["all"])
        if not tokens:
            self.stdout.write("没有令牌 / no tokens")
            return
        self.stdout.write(HEADER)
        for token in tokens:
            self.stdout.write(token_line(token))
