from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.accounts.models import ApiToken
from baozhang.accounts.services import revoke_token
from baozhang.cli import SchemaCommand


class Command(SchemaCommand):
    help = "Revoke the API tokens whose prefix is PREFIX. / 吊销指定前缀的 API 令牌。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="the first characters of the token, e.g. bz_AbC123")

    def handle(self, *args: Any, prefix: str, **options: Any) -> None:
        tokens = list(ApiToken.objects.filter(prefix=prefix[:10], revoked_at__isnull=True))
        if not tokens:
            raise CommandError(f"no active token with prefix {prefix!r} / 没有该前缀的有效令牌")
        for token in tokens:
            revoke_token(None, token)
            self.stdout.write(f"revoked {token.prefix}… ({token.user}) / 已吊销")
