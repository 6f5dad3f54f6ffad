"""What the areas above the register add to an asset's page, without the register
importing them (docs/architecture.md, "Contributions").

An area with something to show on an asset (quality: the asset's availability over a
period, computed from its monitors and faults) registers a contribution in its
``AppConfig.ready()``. The asset view calls them in the order they registered; each
returns the template variables it adds. The page works the same with none registered.
A contribution that brings a section of its own lists its template under ``sections``;
the page includes every contribution's sections, in order (maintenance work orders).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

from baozhang.assets.models import Asset

Contribution = Callable[[HttpRequest, Asset], dict[str, Any]]

_contributions: list[Contribution] = []


def contribute(contribution: Contribution) -> None:
    """Add ``contribution(request, asset) -> template variables`` to every asset page
    (once, however often it is registered)."""
    if contribution not in _contributions:
        _contributions.append(contribution)


def contributions(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    sections: list[str] = []
    for contribution in _contributions:
        added = dict(contribution(request, asset))
        sections.extend(added.pop("sections", []))
        extra.update(added)
    extra["sections"] = sections
    return extra
