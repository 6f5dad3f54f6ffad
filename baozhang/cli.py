"""The `baozhang` console script: a thin wrapper over Django's management commands.

baozhang up [--demo]        web + worker in one process (the embedded default)
baozhang web / worker       one role each, for many processes on many hosts
baozhang createtoken USER   a new API token, printed once
baozhang <any manage.py command>
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baozhang.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["baozhang", *argv])
    args[0] = "baozhang"
    if args[1:2] == ["mail-in"]:  # the name an MTA's pipe uses; Django's is mail_in
        args[1] = "mail_in"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
