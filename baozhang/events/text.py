"""What an event says, stored so that each reader reads it in their own language.

A service records ``summary=said("SLA breached")`` or ``said("%(count)s customers told",
count=2)``: the event keeps the message (an English msgid of the catalogue) and its
parameters, and :func:`render` says it in the language active when it is read. A
parameter may itself be a message (``said("escalated to %(level)s", level=said("Level
2"))``) or a choice label's msgid. Summaries stored before this (``"中文 / English"``
glued) read in the reader's half through core.bilingual; typed text (a reply, a reason)
is kept as it was written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from baozhang.core.bilingual import one_language

_NESTED = "said"


@dataclass(frozen=True)
class Said:
    """A message of the catalogue and its parameters (plain JSON values or messages)."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)

    def stored_params(self) -> dict[str, Any] | None:
        """The parameters as JSON: a nested message as ``{"said": msgid, "params": …}``."""
        if not self.params:
            return None
        return {key: _stored(value) for key, value in self.params.items()}

    def __str__(self) -> str:
        return render(self.msgid, self.stored_params())


def said(msgid: str, **params: Any) -> Said:
    """A message to store with an event; ``msgid`` is the catalogue's English text."""
    return Said(msgid, params)


def _stored(value: Any) -> Any:
    if isinstance(value, Said):
        return {_NESTED: value.msgid, "params": value.stored_params()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _shown(value: Any) -> Any:
    if isinstance(value, dict) and _NESTED in value:
        return render(str(value[_NESTED]), value.get("params"))
    if isinstance(value, str):
        return one_language(value, translation.get_language())
    return value


def render(msgid: str, params: dict[str, Any] | None) -> str:
    """The message in the active language; a msgid the catalogue lacks reads as written."""
    text = gettext(msgid)
    if not params:
        return text
    try:
        return text % {key: _shown(value) for key, value in params.items()}
    except (KeyError, TypeError, ValueError):
        return text


def in_english(message: Said) -> str:
    """The message in English: what the event's plain ``summary`` column keeps, for
    searches and readers of the raw record."""
    with translation.override("en"):
        return str(message)


def choice(label: object) -> Said:
    """A choice's label (``Kind.X.label``, still lazy) as a message: its English msgid,
    said again in each reader's language."""
    with translation.override("en"):
        return Said(str(label))
