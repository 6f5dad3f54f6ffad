"""Where a subject of an analysis is shown, told by the areas that own the subjects.

Analysis sits below incidents and desk (docs/architecture.md) and never imports them: each
registers, in its AppConfig.ready(), how to link one of its subjects (``register_link
("incident", lambda pk: reverse("incidents:detail", args=[pk]))``). The actions page links
each action to its fault or complaint through it; without a registration it shows the
subject's label only.
"""

from __future__ import annotations

from collections.abc import Callable

_LINKS: dict[str, Callable[[int], str]] = {}


def register_link(kind: str, link: Callable[[int], str]) -> None:
    _LINKS[kind] = link


def link(kind: str, subject_id: int) -> str:
    make = _LINKS.get(kind)
    return make(subject_id) if make is not None else ""
