from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from baozhang.accounts.models import Language
from baozhang.ui.search import MAX_SEARCH_CHARS
from baozhang.web.navigation import menu_for


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The menu a person sees (baozhang.web.navigation: one definition, grouped by area)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    return {
        "nav_groups": menu_for(request) if signed_in else [],
        "language_choices": Language.choices,
        "search_max_chars": MAX_SEARCH_CHARS,
    }
