from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from baozhang.accounts.management.token_lines import token_line
from baozhang.accounts.selectors import tokens_by_prefix
from baozhang.accounts.services import revoke_token
from baozhang.cli import SchemaCommand


class Command(SchemaCommand):
    help = (
        "Revoke the API token that PREFIX names (any unambiguous start of its prefix, or the "
        "token itself; see listtokens). / 吊销 PREFIX 指明的 API 令牌（其前缀的任意无歧义开头，"
        "或令牌本身；见 listtokens）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix", help="e.g. bz_AbC1 / 例如 bz_AbC1")

    def handle(self, *args: Any, prefix: str, **options: Any) -> None:
        try:
            tokens = tokens_by_prefix(prefix)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if not tokens:
            raise CommandError(
                f"no active token starts with {prefix!r} (listtokens shows them) / "
                f"没有以 {prefix!r} 开头的有效令牌（listtokens 可列出）"
            )
        if len(tokens) > 1:
            lines = "\n".join(f"  {token_line(t)}" for t in tokens)
            raise CommandError(
                f"{prefix!r} names {len(tokens)} tokens; give more characters / "
                f"{prefix!r} 对应 {len(tokens)} 个令牌，请多给几个字符：\n{lines}"
            )
        token = revoke_token(None, tokens[0])
        self.stdout.write(f"已吊销 / revoked: {token_line(token)}")
