from __future__ import annotations

from typing import Any

from baozhang.cli import SchemaCommand


class Command(SchemaCommand):
    help = "Poll every enabled IMAP mailbox once."

    def handle(self, *args: Any, **options: Any) -> None:
        from baozhang.mailin.polling import poll_all

        for name, result in poll_all().items():
            self.stdout.write(f"{name}: {result}")
