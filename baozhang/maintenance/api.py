"""API for maintenance (/api/v1/...). Thin: every step is a service or selector."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["maintenance"])
