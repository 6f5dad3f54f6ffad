"""GET /api/v1/tickets/{ticket_id}/attachments/{attachment_id}: the file itself, with the
same checks as the web download (attachment_views)."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from ninja import Router

from baozhang.api.types import Id
from baozhang.desk.attachment_views import file_response, visible_attachment

router = Router(tags=["tickets"])


@router.get(
    "/tickets/{ticket_id}/attachments/{attachment_id}",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment, with its own content type",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_attachment(request: HttpRequest, ticket_id: Id, attachment_id: Id) -> FileResponse:
    """Download an attachment of a ticket you can see. A customer's people get only the
    attachments of public messages; anything else is 404."""
    return file_response(visible_attachment(request.auth, attachment_id, ticket_id=ticket_id))
