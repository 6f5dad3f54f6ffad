"""The SMS gateway's webhook: POST /api/v1/sms/inbound with the shared secret."""

import hmac
from datetime import datetime

from django.conf import settings
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from baozhang.api.types import AwareDateTime
from baozhang.desk.sms import receive_sms

router = Router(tags=["sms"])


class SmsIn(Schema):
    sender: str = Field(..., alias="from", min_length=3, max_length=40)
    text: str = Field(..., min_length=1, max_length=2000)
    message_id: str = Field("", max_length=100)
    received_at: AwareDateTime | None = None


class SmsOut(Schema):
    id: int
    outcome: str
    ticket_reference: str | None
    received_at: datetime

    @staticmethod
    def resolve_ticket_reference(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.ticket.reference if obj.ticket_id else None


@router.post("/sms/inbound", response={202: SmsOut}, auth=None)
def inbound(request: HttpRequest, payload: SmsIn):  # type: ignore[no-untyped-def]
    """Called by the SMS gateway for every text received. Authenticated by the shared
    secret SMS_WEBHOOK_TOKEN in the `X-Baozhang-Token` header or the `token` parameter.
    `received_at` (the gateway's stamp) is recorded only; more than five minutes in the
    future is refused (422). A text is kept even when routing it fails (outcome "failed")."""
    expected = settings.SMS_WEBHOOK_TOKEN
    given = request.headers.get("X-Baozhang-Token") or request.GET.get("token", "")
    if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HttpError(401, "bad or missing webhook token / 短信网关令牌无效")
    sms = receive_sms(
        payload.sender, payload.text, gateway_id=payload.message_id, received_at=payload.received_at
    )
    return Status(202, sms)
