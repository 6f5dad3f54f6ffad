"""`baozhang mail_in` (alias `mail-in`): read one raw message on standard input, for an
MTA's pipe (Postfix: `baozhang unix - n n - - pipe user=baozhang argv=baozhang mail-in`).

Exit status: 0 when the message is stored (also when quarantined: it is not lost);
75 (EX_TEMPFAIL) when the database or the storage is unavailable, so the MTA retries."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import Error as DatabaseError

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw e-mail on standard input and turn it into a ticket or a reply."

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("mail-in: standard input is empty / 标准输入为空")
            sys.exit(EX_DATAERR)
        from baozhang.mailin import intake

        try:
            inbound = intake.receive(raw)
        except (DatabaseError, OSError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self.stderr.write(
                "mail-in: 暂时无法保存邮件，请稍后重试 / cannot store the message now, "
                f"try again later ({first})"
            )
            sys.exit(EX_TEMPFAIL)
        ticket = inbound.ticket.reference if inbound.ticket_id else "-"
        self.stdout.write(f"{inbound.pk} {inbound.status} {ticket} {inbound.reason}")
