"""What the areas above maintenance work add to a work order's page, without upkeep
importing them (docs/architecture.md, "Contributions"), as assets/asset_page.py does for
an asset's page.

An area with something to say about a work order (backups: the backup a restore rehearsal
rehearses) registers a contribution in its ``AppConfig.ready()``; the order view calls
them in the order they registered, each returning the template variables it adds, its
own templates listed under ``sections``. The page works the same with none registered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from baozhang.upkeep.models import WorkOrder

Contribution = Callable[[HttpRequest, WorkOrder], dict[str, Any]]

_contributions: list[Contribution] = []


def contribute(contribution: Contribution) -> None:
    """Add ``contribution(request, order) -> template variables`` to every work order's
    page (once, however often it is registered)."""
    if contribution not in _contributions:
        _contributions.append(contribution)


def contributions(request: HttpRequest, order: WorkOrder) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    sections: list[str] = []
    for contribution in _contributions:
        added = dict(contribution(request, order))
        sections.extend(added.pop("sections", []))
        extra.update(added)
    extra["sections"] = sections
    return extra
