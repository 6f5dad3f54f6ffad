"""The progress bar of long commands: drawn on a terminal only, silent in a pipe or a log."""

from __future__ import annotations

import io

from baozhang.quality.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_sees_each_step_and_the_end() -> None:
    stream = Terminal()
    progress = Progress(2, stream)
    progress.step("统计 / statistics")
    progress.step("写入 / writing")
    progress.done()
    text = stream.getvalue()
    assert "[------------------------] 0/2 统计 / statistics" in text
    assert "[############------------] 1/2 写入 / writing" in text
    assert "[########################] 2/2" in text and text.endswith("\n")


def test_a_pipe_sees_nothing() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream)
    progress.step("统计 / statistics")
    progress.done()
    assert stream.getvalue() == ""
