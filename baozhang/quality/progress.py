"""The progress bar of long commands lives with the command line (baozhang/cli.py), below
every area, so that any area's command may draw it; quality's commands import it here."""

from __future__ import annotations

from baozhang.cli import PROGRESS_WIDTH as WIDTH
from baozhang.cli import Progress

__all__ = ["WIDTH", "Progress"]
