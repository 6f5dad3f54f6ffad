"""Downloading a ticket's attachments: whoever sees the ticket, and for a customer's
people only the attachments of public messages (never of internal notes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

from baozhang.accounts.permissions import is_operator_staff
from baozhang.desk.models import Attachment, Visibility
from baozhang.desk.selectors import visible_tickets

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from baozhang.accounts.models import User


def visible_attachment(
    user: User | AnonymousUser, pk: int, ticket_id: int | None = None
) -> Attachment:
    """The attachment `pk` if `user` may see it (of ticket `ticket_id` when given); else
    Http404 — the same answer whether it does not exist or is not theirs."""
    attachments = Attachment.objects.select_related("message").filter(
        message__ticket__in=visible_tickets(user).values("pk")
    )
    if not is_operator_staff(user):
        attachments = attachments.filter(message__visibility=Visibility.PUBLIC)
    if ticket_id is not None:
        attachments = attachments.filter(message__ticket_id=ticket_id)
    attachment = attachments.filter(pk=pk).first()
    if attachment is None:
        raise Http404("No such attachment / 附件不存在")
    return attachment


def file_response(attachment: Attachment) -> FileResponse:
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # the row outlived its file
        raise Http404("The file is missing / 文件不存在") from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.filename)


@require_safe
@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    return file_response(visible_attachment(request.user, pk))
