"""Webhooks and SMS gateways: one HTTP sender per channel and thread, with keep-alive.

Until issue 17 these went through Apprise's JSON and form plugins, which parse the
channel's URL and open a new connection for every message (about 150 messages/s with two
workers). A `HttpSender` is built once from the channel's settings and holds a
urllib3 connection pool (one connection), so a worker's thread sends a channel's messages
over one kept connection; the URL, headers, query, proxy and credentials are worked out
once, not per message. What goes on the wire is what Apprise sent (the same JSON document or form
fields, headers and query parameters; test_http_send compares the two), so receivers see
no change.

The outbound policy (notify.outbound) is applied as before: every send runs inside
`outbound.guarded()`, and every connection the session opens is checked when it is
opened; a kept connection goes on to the address that was checked. A sender is rebuilt
when the channel's settings, the timeout or the operator's allow list change, so a
connection opened under an older allow list is never used under a newer one. Redirects are
not followed (a 3xx is a failure), as with Apprise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import certifi
import urllib3
from requests.utils import get_environ_proxies

from baozhang.events.text import said
from baozhang.notify import channels as kinds
from baozhang.notify import errors, outbound
from baozhang.notify.channels import SmsMethod
from baozhang.notify.models import Channel, ChannelKind

# What Apprise's plugins sent (receivers may filter on it).
USER_AGENT = "Apprise"
KINDS = frozenset({ChannelKind.WEBHOOK, ChannelKind.SMS})
_RESPONSE_MAX = 2000
_SENDERS_MAX = 256


@dataclass
class HttpSender:
    """How one channel's messages are posted, and the session that posts them."""

    fingerprint: str
    url: str  # with the query, without credentials
    form: bool
    headers: dict[str, str]  # with the basic authentication, if any
    # The document's own fields in Apprise's order, each renamed (a name) or left out
    # (""): version, title, message, attachments, type.
    renames: dict[str, str]
    extras: dict[str, str]
    timeout: float
    secrets: list[str]
    pool: urllib3.PoolManager

    def document(self, title: str, body: str, dedup_key: str) -> dict[str, Any]:
        """The JSON document or form fields of one message, as Apprise built them."""
        own: list[tuple[str, Any]] = [("version", "1.0"), ("title", title), ("message", body)]
        if not self.form:
            own.append(("attachments", []))
        own.append(("type", "info"))
        extras = {**self.extras, "dedup_key": dedup_key}
        if self.form:
            # custom_form: the own fields in place, renamed or left out; extras after.
            doc = {self.renames.get(k, k): v for k, v in own if self.renames.get(k, k)}
            doc.update({k: v for k, v in extras.items() if k not in self.renames})
            return doc
        # custom_json: a renamed own field moves to the end, in the order of the extras.
        doc = dict(own)
        for key, value in {**self.renames, **extras}.items():
            if key in doc:
                moved = doc.pop(key)
                if value:
                    doc[value] = moved
            else:
                doc[key] = value
        return doc

    def post(self, title: str, body: str, dedup_key: str) -> errors.Failure | None:
        """Post one message. None when the receiver answered 2xx, else why not (secrets
        redacted)."""
        headers = {**self.headers, "Idempotency-Key": dedup_key}
        doc = self.document(title, body, dedup_key)
        payload = urlencode(doc) if self.form else json.dumps(doc)
        with outbound.guarded() as guard:
            try:
                response = self.pool.request(
                    "POST",
                    self.url,
                    body=payload.encode("utf-8"),
                    headers=headers,
                    redirect=False,
                    retries=False,
                    timeout=urllib3.Timeout(connect=self.timeout, read=self.timeout),
                )
            except urllib3.exceptions.TimeoutError as exc:
                failure = errors.Failure(
                    said(errors.TIMED_OUT, seconds=f"{self.timeout:g}"), self._redact(exc)
                )
            except urllib3.exceptions.HTTPError as exc:
                failure = errors.Failure(said(errors.CONNECTION_FAILED), self._redact(exc))
            except Exception as exc:  # a library bug must not kill the worker
                failure = errors.Failure(said(errors.SENDER_CRASHED), self._redact(exc))
            else:
                if 200 <= response.status < 300:
                    return None
                text = response.data[:_RESPONSE_MAX].decode("utf-8", "replace")
                failure = errors.Failure(
                    said(errors.HTTP_STATUS, status=response.status),
                    kinds.redact(text, self.secrets),
                )
        if guard.refusals:
            # The connection was refused by the outbound policy: nothing was sent, and the
            # pool must not keep whatever it half opened.
            self.pool.clear()
            return errors.refused(guard.refusals[0])
        return failure

    def _redact(self, exc: BaseException) -> str:
        return kinds.redact(f"{type(exc).__name__}: {exc}", self.secrets)

    def close(self) -> None:
        self.pool.clear()


def build(kind: str, config: Mapping[str, Any], timeout: float, fingerprint: str) -> HttpSender:
    """A sender for a webhook or SMS gateway channel with `config` (cleaned settings).
    Raises KeyError or ValueError for settings that are incomplete."""
    renames: dict[str, str] = {}
    extras: dict[str, str] = {}
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if kind == ChannelKind.WEBHOOK:
        target = config["webhook_url"]
        form = False
        headers["Content-Type"] = "application/json"
        headers.update({str(k): str(v) for k, v in (config.get("webhook_headers") or {}).items()})
    elif kind == ChannelKind.SMS:
        target = config["sms_gateway_url"]
        form = config.get("sms_method", SmsMethod.JSON) == SmsMethod.FORM
        if not form:
            headers["Content-Type"] = "application/json"
        # The gateway gets only the text, the phone number and its own extra fields.
        renames = {"title": "", "version": "", "type": ""}
        if not form:
            renames["attachments"] = ""
        message_field = config.get("sms_message_field", "message")
        if message_field != "message":
            renames["message"] = str(message_field)
        extras[str(config.get("sms_phone_field", "phone"))] = str(config["sms_phone"])
        extras.update({str(k): str(v) for k, v in (config.get("sms_extra") or {}).items()})
    else:
        raise ValueError(kind)
    parts = urlsplit(str(target))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("not an http(s) URL")
    if form:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if parts.username:
        user = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
        headers["Authorization"] = urllib3.util.make_headers(basic_auth=user)["authorization"]
    netloc = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    if parts.port:
        netloc += f":{parts.port}"
    query = urlencode(parse_qsl(parts.query, keep_blank_values=True))
    url = urlunsplit((parts.scheme, netloc, parts.path or "/", query, ""))
    # A proxy from the environment (HTTPS_PROXY, NO_PROXY …) as requests would choose it
    # for this URL, looked up once.
    proxy = get_environ_proxies(url).get(parts.scheme) or get_environ_proxies(url).get("all")
    # Certificates checked against the same bundle as requests (and Apprise) used.
    options: dict[str, Any] = {"num_pools": 1, "maxsize": 1, "ca_certs": certifi.where()}
    pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
    return HttpSender(
        fingerprint=fingerprint,
        url=url,
        form=form,
        headers=headers,
        renames=renames,
        extras=extras,
        timeout=timeout,
        secrets=kinds.secret_values(kind, config),
        pool=pool,
    )


class _Senders(threading.local):
    """This thread's senders (a sender thread of the worker), by channel id."""

    def __init__(self) -> None:
        self.by_channel: dict[int, HttpSender] = {}


_senders = _Senders()


def sender_for(channel: Channel, timeout: float) -> HttpSender:
    """This thread's sender for `channel`: built on first use, rebuilt (its connections
    closed) when the channel's settings, the timeout or the outbound allow list change.
    Raises KeyError or ValueError for incomplete settings."""
    fingerprint = json.dumps(
        [channel.kind, channel.config, timeout, outbound.configured_entries()],
        sort_keys=True,
        default=str,
    )
    kept = _senders.by_channel.get(channel.pk) if channel.pk is not None else None
    if kept is not None and kept.fingerprint == fingerprint:
        return kept
    sender = build(channel.kind, channel.config, timeout, fingerprint)
    if kept is not None:
        kept.close()
    if channel.pk is not None:
        if len(_senders.by_channel) >= _SENDERS_MAX:
            forget()
        _senders.by_channel[channel.pk] = sender
    return sender


def forget() -> None:
    """Close and drop this thread's senders."""
    for sender in _senders.by_channel.values():
        sender.close()
    _senders.by_channel.clear()
