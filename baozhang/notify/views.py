"""Pages for channels and the delivery log. Thin: services change, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from baozhang.accounts.permissions import is_operator_staff
from baozhang.accounts.selectors import visible_organisations
from baozhang.notify import services
from baozhang.notify.channels import masked_config
from baozhang.notify.forms import ChannelForm
from baozhang.notify.models import Channel, MessageStatus, Unreached
from baozhang.notify.selectors import (
    attempts_of,
    can_manage_channel,
    can_retry_message,
    still_unreachable,
    unreached_text,
    visible_channels,
    visible_messages,
    visible_unreached,
)
from baozhang.ui.feedback import refusal_on_form, report_refusal


def _owners(user: Any) -> list[tuple[str, str]]:
    owners = [("me", _("Me (personal channel)"))]
    owners += [(f"org:{o.pk}", str(o)) for o in visible_organisations(user)]
    return owners


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    channels = visible_channels(request.user)
    rows = [
        {
            "channel": c,
            "config": masked_config(c.kind, c.config),
            "manage": can_manage_channel(request.user, c),
        }
        for c in channels
    ]
    return render(request, "notify/channel_list.html", {"rows": rows})


@login_required
def channel_create(request: HttpRequest) -> HttpResponse:
    owners = _owners(request.user)
    form = ChannelForm(
        request.POST or None,
        owners=owners,
        initial={"owner": owners[1][0] if len(owners) > 1 else "me"},
    )
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        organisation = None
        if owner.startswith("org:"):
            organisation = get_object_or_404(visible_organisations(request.user), pk=int(owner[4:]))
        try:
            channel = services.create_channel(
                request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                config=form.config(),
                organisation=organisation,
                user=request.user if organisation is None else None,
                language=form.cleaned_data["language"],
                enabled=form.cleaned_data["enabled"],
            )
        except ValidationError as exc:
            refusal_on_form(form, exc)
        else:
            messages.success(request, _("Channel saved."))
            return redirect("notify:channel_edit", pk=channel.pk)
    return render(request, "notify/channel_form.html", {"form": form, "channel": None})


@login_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    channel = get_object_or_404(visible_channels(request.user), pk=pk)
    manage = can_manage_channel(request.user, channel)
    owner = f"org:{channel.organisation_id}" if channel.organisation_id else "me"
    owners = [(owner, str(channel.organisation or channel.user))]
    initial = {
        "owner": owner,
        "name": channel.name,
        "kind": channel.kind,
        "language": channel.language,
        "enabled": channel.enabled,
        **{
            k: (
                ", ".join(v)
                if isinstance(v, list)
                else "\n".join(f"{a}={b}" for a, b in v.items())
                if isinstance(v, dict)
                else v
            )
            for k, v in masked_config(channel.kind, channel.config).items()
        },
    }
    form = ChannelForm(request.POST or None, owners=owners, initial=initial)
    if request.method == "POST":
        if not manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.update_channel(
                    request.user,
                    channel,
                    name=form.cleaned_data["name"],
                    kind=form.cleaned_data["kind"],
                    config=form.config(),
                    language=form.cleaned_data["language"],
                    enabled=form.cleaned_data["enabled"],
                )
            except ValidationError as exc:
                refusal_on_form(form, exc)
            else:
                messages.success(request, _("Channel saved."))
                return redirect("notify:channel_edit", pk=channel.pk)
    recent = visible_messages(request.user).filter(channel=channel)[:10]
    return render(
        request,
        "notify/channel_form.html",
        {"form": form, "channel": channel, "manage": manage, "recent": recent},
    )


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    channel: Channel = get_object_or_404(visible_channels(request.user), pk=pk)
    message = services.send_test(request.user, channel)
    messages.success(request, _("A test notification is queued; its delivery is shown below."))
    return redirect("notify:message_detail", pk=message.pk)


@login_required
def message_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or ""
    page = Paginator(visible_messages(request.user, status), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/message_list.html",
        {"page": page, "status": status, "statuses": MessageStatus.choices},
    )


@login_required
def message_detail(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(visible_messages(request.user), pk=pk)
    return render(
        request,
        "notify/message_detail.html",
        {
            "message": message,
            "attempts": attempts_of(message),
            "can_retry": message.status == MessageStatus.DEAD
            and can_retry_message(request.user, message),
        },
    )


@login_required
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(visible_messages(request.user), pk=pk)
    try:
        services.retry_dead(request.user, message)
    except ValidationError as exc:
        report_refusal(request, exc)
    else:
        messages.success(request, _("The message will be sent again."))
    return redirect("notify:message_detail", pk=message.pk)


# Where a notice's subject is shown, by its type (events' "app_label.modelname").
_SUBJECT_PAGES = {
    "desk.ticket": "desk:ticket",
    "incidents.incident": "incidents:detail",
    "maintenance.maintenancewindow": "maintenance:detail",
}


def _subject_url(row: Unreached) -> str:
    name = _SUBJECT_PAGES.get(row.object_type)
    if not name or not row.object_id.isdigit():
        return ""
    try:
        return reverse(name, args=[int(row.object_id)])
    except NoReverseMatch:
        return ""


@login_required
def unreached_list(request: HttpRequest) -> HttpResponse:
    """Notices that reached no one (staff only): by default those whose recipient still
    has no way to be reached (the things to fix), ``?show=all`` every one on record."""
    if not is_operator_staff(request.user):
        raise Http404
    show = "all" if request.GET.get("show") == "all" else "open"
    now = timezone.now()
    every = visible_unreached(request.user)
    rows = still_unreachable(every, now) if show == "open" else every
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    shown = [row.pk for row in page]
    still = set(still_unreachable(every.filter(pk__in=shown), now).values_list("pk", flat=True))
    items = [
        {
            "row": row,
            "text": unreached_text(row),
            "url": _subject_url(row),
            "still": row.pk in still,
        }
        for row in page
    ]
    return render(
        request, "notify/unreached_list.html", {"page": page, "items": items, "show": show}
    )
