"""Where quality's pages live, for the links its figures carry (a report's drill-downs)
without loading the whole URL configuration: `baozhang report` computes figures outside any
request, and resolving one name loaded every app's API (seconds of a command's start).
baozhang/urls.py mounts the pages at these paths; a test checks they agree with reverse()."""

from __future__ import annotations

EQUIPMENT_FIGURES = "quality/equipment/"
