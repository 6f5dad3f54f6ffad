from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.accounts.models import User
from baozhang.accounts.services import create_token
from baozhang.cli import SchemaCommand


class Command(SchemaCommand):
    help = (
        "Create an API token for USERNAME and print it once. / 为用户创建 API 令牌（只显示一次）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named {username!r} / 没有名为 {username!r} 的用户")
        if not user.is_active:
            raise CommandError(f"user {username!r} is inactive / 用户 {username!r} 已停用")
        _token, secret = create_token(None, user, name=name or "createtoken")
        self.stdout.write(secret)
