from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Poll every enabled IMAP mailbox once."

    def handle(self, *args: Any, **options: Any) -> None:
        from baozhang.mailin.polling import poll_all

        for name, result in poll_all().items():
            self.stdout.write(f"{name}: {result}")
