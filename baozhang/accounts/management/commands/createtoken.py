from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.accounts.models import User
from baozhang.accounts.services import create_token
from baozhang.cli import SchemaCommand


class Command(SchemaCommand):
    help = (
        "Create an API token for USERNAME and print it once; its prefix (for listtokens and "
        "revoketoken) goes to standard error. / 为用户创建 API 令牌（只显示一次）；其前缀"
        "（用于 listtokens 与 revoketoken）写到标准错误。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for / 令牌用途")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r} / 没有名为 {username!r} 的用户")
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive / 用户 {username!r} 已停用")
        token, secret = create_token(None, user, name=name or "createtoken")
        # The secret alone on standard output, so that TOKEN=$(baozhang createtoken …) works.
        self.stdout.write(secret)
        self.stderr.write(
            f"令牌前缀 {token.prefix}（用于 listtokens 与 revoketoken；令牌仅显示这一次） / "
            f"token prefix {token.prefix} (for listtokens and revoketoken; the token is "
            f"shown only once)"
        )
