"""An asset's page shows its open patches and how much software it reported (a
contribution to assets/asset_page.py, registered in patches' ready())."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff
from baozhang.assets.models import Asset
from baozhang.patches import selectors
from baozhang.patches.models import InstalledSoftware


def asset_patches(request: HttpRequest, asset: Asset) -> dict[str, Any]:
    if not is_operator_staff(request.user):
        return {}
    software = InstalledSoftware.objects.filter(asset=asset)
    latest = software.order_by("-reported_at").values_list("reported_at", flat=True).first()
    return {
        "sections": ["patches/_asset_section.html"],
        "patches_open": list(selectors.open_for_asset(asset.pk)),
        "patches_software_count": software.count(),
        "patches_reported_at": latest,
        "now": timezone.now(),
    }
