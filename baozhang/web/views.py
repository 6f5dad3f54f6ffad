from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from baozhang.accounts.permissions import is_operator_staff, roles_of
from baozhang.accounts.selectors import visible_organisations, visible_users
from baozhang.events.models import EventKind
from baozhang.events.selectors import timeline, visible_events
from baozhang.ui.search import search_text
from baozhang.web import customer_views
from baozhang.web.selectors import dashboard_figures

PAGE_SIZE = 50


def _page(request: HttpRequest, qs):  # type: ignore[no-untyped-def]
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    if not is_operator_staff(request.user):
        return customer_views.customer_home(request)  # a customer's people: their home
    figures = dashboard_figures(request.user, timezone.now())
    recent = visible_events(request.user).select_related("organisation")[:10]
    return render(request, "web/dashboard.html", {"figures": figures, "recent": recent})


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    qs = visible_organisations(request.user)
    query = search_text(request.GET.get("q", ""))
    if query:
        qs = qs.filter(name__icontains=query)
    return render(request, "web/organisation_list.html", {"page": _page(request, qs), "q": query})


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(visible_organisations(request.user), pk=pk)
    people = visible_users(request.user).filter(organisation=org)
    events = timeline(request.user, org)
    return render(
        request, "web/organisation_detail.html", {"org": org, "people": people, "events": events}
    )


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    qs = visible_users(request.user)
    query = search_text(request.GET.get("q", ""))
    if query:
        qs = qs.filter(username__icontains=query) | qs.filter(display_name__icontains=query)
    return render(request, "web/user_list.html", {"page": _page(request, qs), "q": query})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(visible_users(request.user), pk=pk)
    context = {
        "person": person,
        "roles": sorted(r.label for r in roles_of(person)),
        "events": timeline(request.user, person),
    }
    return render(request, "web/user_detail.html", context)


@login_required
def event_list(request: HttpRequest) -> HttpResponse:
    qs = visible_events(request.user).select_related("organisation")
    kind = request.GET.get("kind", "")
    if kind in EventKind.values:
        qs = qs.filter(kind=kind)
    context = {"page": _page(request, qs), "kind": kind, "kinds": EventKind.choices}
    return render(request, "web/event_list.html", context)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(visible_events(request.user), pk=pk)
    return render(request, "web/event_detail.html", {"event": event})
