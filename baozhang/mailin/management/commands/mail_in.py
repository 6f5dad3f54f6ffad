"""`baozhang mail_in` (alias `mail-in`): read one raw message on standard input, for an
MTA's pipe (Postfix: `baozhang unix - n n - - pipe user=baozhang argv=baozhang mail-in`).

Exit status: 0 when the message is stored (also when quarantined: it is not lost);
75 (EX_TEMPFAIL) when the database or the storage is unavailable, so the MTA retries;
75 too, with a line saying to run `baozhang migrate`, when the database is not set up."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand
from django.db import Error as DatabaseError

from baozhang.cli import require_schema

EX_DATAERR = 65
EX_TEMPFAIL = 75


class Command(BaseCommand):
    help = "Read one raw e-mail on standard input and turn it into a ticket or a reply."

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("mail-in: standard input is empty / 标准输入为空")
            sys.exit(EX_DATAERR)
        # A database never migrated is an operator's mistake, not the sender's: 75, not
        # EX_CONFIG (78, which Postfix turns into a bounce, 5.3.5), so the MTA keeps the
        # message queued and delivers it once `baozhang migrate` has run; the MTA's queue
        # lifetime (Postfix: 5 days) bounds the retries, and its log shows the line below
        # with each deferral. Nothing is lost for a mistake fixed in a minute.
        from baozhang.mailin import intake

        try:
            # Inside the try: a database that cannot be reached fails the schema check
            # itself (OperationalError), which is a retry later (75) as well.
            require_schema("mail-in", migrations=False, returncode=EX_TEMPFAIL)
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
