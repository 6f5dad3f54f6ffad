"""Pages of the asset register. Thin: each POST calls one service; a refusal (the X5 rule
above all) comes back on the form, on the field it is about.

Staff see every asset; a customer's people see the assets their organisation owns or
depends on (read only); changes need the capability of keeping equipment
(services.MANAGE).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.models import Organisation
from baozhang.accounts.permissions import can, is_operator_staff
from baozhang.assets import asset_page, services
from baozhang.assets.forms import AssetForm, DocumentForm
from baozhang.assets.models import AssetDocument, AssetKind, AssetStatus
from baozhang.assets.selectors import documents_of, filter_assets, get_asset, visible_assets
from baozhang.events.selectors import timeline
from baozhang.ui.feedback import posted, saved
from baozhang.ui.search import search_text

PAGE_SIZE = 50


def _can_manage(request: HttpRequest) -> bool:
    return can(request.user, services.MANAGE)


def _require_manage(request: HttpRequest) -> None:
    if not _can_manage(request):
        raise PermissionDenied


def _int(value: str | None) -> int | None:
    if value and value.isascii() and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in AssetKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in AssetStatus.values else ""
    owner = _int(request.GET.get("owner"))
    q = search_text(request.GET.get("q", ""))
    qs = filter_assets(visible_assets(request.user), kind=kind, status=status, owner=owner, q=q)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    owners = Organisation.objects.filter(
        pk__in=visible_assets(request.user).values("owner_id")
    ).order_by("name")
    return render(
        request,
        "assets/asset_list.html",
        {
            "page": page,
            "kinds": AssetKind.choices,
            "statuses": AssetStatus.choices,
            "owners": owners,
            "kind": kind,
            "status": status,
            "owner": owner,
            "q": q,
            "can_manage": _can_manage(request),
        },
    )


@login_required
def asset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset(request.user, pk)
    staff = is_operator_staff(request.user)
    context: dict[str, Any] = {
        "asset": asset,
        "staff": staff,
        "can_manage": _can_manage(request),
        "documents": documents_of(asset),
        "document_form": DocumentForm(),
        "responsible": list(asset.responsible.order_by("username")),
        "services": list(asset.services.all()),
        "customers": list(asset.customers.all()),
        "contents": list(asset.contents.order_by("name")) if staff else [],
        "projects": list(asset.construction_projects.order_by("-created_at")) if staff else [],
        "monitors": list(asset.monitors.all()) if staff else [],  # type: ignore[attr-defined]
        "incidents": list(asset.incidents.order_by("-detected_at")[:20]) if staff else [],  # type: ignore[attr-defined]
        "events": timeline(request.user, asset) if staff else [],
    }
    context.update(asset_page.contributions(request, asset))
    return render(request, "assets/asset_detail.html", context)


@login_required
def asset_create(request: HttpRequest) -> HttpResponse:
    _require_manage(request)
    form = AssetForm(request.POST or None)
    asset = saved(
        request,
        form,
        lambda: services.create_asset(request.user, **form.asset_fields()),
        _("Asset registered."),
    )
    if asset is not None:
        return redirect("assets:detail", pk=asset.pk)
    return render(request, "assets/asset_form.html", {"form": form})


@login_required
def asset_edit(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset(request.user, pk)
    _require_manage(request)
    form = AssetForm(request.POST or None, instance=asset)
    if saved(
        request,
        form,
        lambda: services.update_asset(request.user, asset, **form.asset_fields()),
        _("Asset saved."),
    ):
        return redirect("assets:detail", pk=asset.pk)
    return render(request, "assets/asset_form.html", {"form": form, "asset": asset})


@login_required
@require_POST
def document_add(request: HttpRequest, pk: int) -> HttpResponse:
    asset = get_asset(request.user, pk)
    _require_manage(request)
    form = DocumentForm(request.POST, request.FILES)

    def add() -> Any:
        upload = form.cleaned_data["file"]
        return services.add_document(
            request.user,
            asset,
            title=form.cleaned_data["title"],
            filename=upload.name,
            content_type=upload.content_type or "",
            data=upload.read(),
            note=form.cleaned_data["note"],
        )

    posted(
        request,
        form,
        add,
        lambda doc: _("Document kept as version %(version)d.") % {"version": doc.version},
    )
    return redirect("assets:detail", pk=asset.pk)


@login_required
def document_file(request: HttpRequest, doc_id: int) -> FileResponse:
    """One version of a document, to whoever may see its asset."""
    doc = get_object_or_404(
        AssetDocument, pk=doc_id, asset__in=visible_assets(request.user).values("pk")
    )
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=doc.filename,
        content_type=doc.content_type or "application/octet-stream",
    )
