"""Channel kinds: what settings each kind takes, how they are validated, and how a channel
becomes an Apprise URL.

Settings live in `Channel.config` under the field names below; the web form and the API
use the same names, so a field error always points at the field the user typed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from baozhang.notify import outbound
from baozhang.notify.models import ChannelKind


class SmtpSecurity:
    NONE = "none"  # plain SMTP, e.g. a relay on loopback
    STARTTLS = "starttls"
    SSL = "ssl"
    CHOICES = (NONE, STARTTLS, SSL)
    DEFAULT_PORT = {NONE: 25, STARTTLS: 587, SSL: 465}


class SmsMethod:
    JSON = "json"
    FORM = "form"
    CHOICES = (JSON, FORM)


@dataclass(frozen=True)
class FieldSpec:
    name: str
    required: bool = False
    secret: bool = False


FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    ChannelKind.EMAIL: (
        FieldSpec("smtp_host", required=True),
        FieldSpec("smtp_port"),
        FieldSpec("smtp_security"),
        FieldSpec("smtp_username"),
        FieldSpec("smtp_password", secret=True),
        FieldSpec("from_address", required=True),
        FieldSpec("to_addresses", required=True),
    ),
    ChannelKind.WEBHOOK: (
        FieldSpec("webhook_url", required=True, secret=True),
        FieldSpec("webhook_headers", secret=True),
    ),
    ChannelKind.WECOM: (FieldSpec("wecom_key", required=True, secret=True),),
    ChannelKind.DINGTALK: (
        FieldSpec("dingtalk_token", required=True, secret=True),
        FieldSpec("dingtalk_secret", secret=True),
    ),
    ChannelKind.FEISHU: (FieldSpec("feishu_token", required=True, secret=True),),
    ChannelKind.SMS: (
        FieldSpec("sms_gateway_url", required=True, secret=True),
        FieldSpec("sms_method"),
        FieldSpec("sms_phone", required=True),
        FieldSpec("sms_phone_field"),
        FieldSpec("sms_message_field"),
        FieldSpec("sms_extra", secret=True),
    ),
}

ALL_FIELDS: tuple[str, ...] = tuple(f.name for specs in FIELDS.values() for f in specs)

# Where a kind's messages, and with them its secrets, are sent. An edit that changes any of
# these (or the kind) does not carry stored secrets over: a password, header or token must
# be typed again before it goes to a new server (services.update_channel). URL fields count
# by scheme, host and port only. WeCom, DingTalk and Feishu always post to the vendor's own
# host (a full hook URL is reduced to its key, its host is dropped), so for them only a
# change of kind is a change of destination.
DESTINATION_FIELDS: dict[str, tuple[str, ...]] = {
    ChannelKind.EMAIL: ("smtp_host", "smtp_port", "smtp_username"),
    ChannelKind.WEBHOOK: ("webhook_url",),
    ChannelKind.WECOM: (),
    ChannelKind.DINGTALK: (),
    ChannelKind.FEISHU: (),
    ChannelKind.SMS: ("sms_gateway_url",),
}

# Secret fields holding a URL (masked as "scheme://host[:port]/***") and secret fields
# holding a name → value mapping (masked value by value as "***").
URL_SECRET_FIELDS = frozenset({"webhook_url", "sms_gateway_url"})
MAPPING_SECRET_FIELDS = frozenset({"webhook_headers", "sms_extra"})
MASK = "***"

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+$")
_PHONE_RE = re.compile(r"^\+?[0-9]{5,20}$")
_FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_HEADER_RE = re.compile(r"^[A-Za-z0-9-]{1,64}$")


def _msg(zh: str, en: str) -> str:
    """One error text in both languages (STYLE.md: name the thing, the value, what works)."""
    return f"{zh} / {en}"


def fields_for(kind: str) -> tuple[FieldSpec, ...]:
    return FIELDS.get(kind, ())


def secret_fields(kind: str) -> tuple[str, ...]:
    return tuple(f.name for f in fields_for(kind) if f.secret)


def destination_fields(kind: str) -> tuple[str, ...]:
    return DESTINATION_FIELDS.get(kind, ())


def _str(value: Any) -> str:
    return "" if value is None else str(value).strip()


def url_origin(value: Any) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, lower-cased, with the scheme's default port."""
    parts = urlsplit(_str(value))
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # an invalid port: compare the raw address
        return scheme, parts.netloc.rpartition("@")[2].lower(), None
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def masked_url(value: Any) -> str:
    """A URL reduced to "scheme://host[:port]/***", as shown for URL secrets."""
    parts = urlsplit(_str(value))
    try:
        port = parts.port
    except ValueError:
        port = None
    return f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}/{MASK}"


def _smtp_port(config: Mapping[str, Any]) -> int | str:
    raw = _str(config.get("smtp_port"))
    if raw:
        try:
            return int(raw)
        except ValueError:
            return raw
    security = _str(config.get("smtp_security")) or SmtpSecurity.STARTTLS
    return SmtpSecurity.DEFAULT_PORT.get(security, SmtpSecurity.DEFAULT_PORT["starttls"])


def destination(kind: str, config: Mapping[str, Any]) -> tuple[Any, ...]:
    """What identifies where a channel of `kind` sends (see DESTINATION_FIELDS); works on
    stored and on raw, not yet cleaned, settings alike."""
    out: list[Any] = [kind]
    for name in destination_fields(kind):
        value = config.get(name)
        if name in URL_SECRET_FIELDS:
            out.append(url_origin(value))
        elif name == "smtp_port":
            out.append(_smtp_port(config))
        elif name == "smtp_host":
            out.append(_str(value).lower())
        else:
            out.append(_str(value))
    return tuple(out)


def parse_pairs(value: Any) -> dict[str, str] | None:
    """A name → value mapping from a dict or "name=value" lines; None when the text is
    malformed (clean_config then reports the line)."""
    errors: dict[str, list[str]] = {}
    pairs = _pairs(value, "pairs", errors)
    return None if errors else pairs


def _pairs(value: Any, field: str, errors: dict[str, list[str]]) -> dict[str, str]:
    """A mapping from a dict or from "key=value" lines."""
    if value in (None, "", {}):
        return {}
    if isinstance(value, Mapping):
        items = [(str(k).strip(), _str(v)) for k, v in value.items()]
    else:
        items = []
        for line in str(value).splitlines():
            if not line.strip():
                continue
            key, sep, val = line.partition("=")
            if not sep:
                errors.setdefault(field, []).append(
                    _msg(
                        f"“{line.strip()}”不是 名称=值 格式",
                        f"“{line.strip()}” is not in name=value form",
                    )
                )
                continue
            items.append((key.strip(), val.strip()))
    return dict(items)


def _http_url(value: str, field: str, errors: dict[str, list[str]]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        errors.setdefault(field, []).append(
            _msg(
                f"“{value}”不是有效的 http:// 或 https:// 地址",
                f"“{value}” is not a valid http:// or https:// URL",
            )
        )
    return value


def _allowed_destination(host: str, field: str, errors: dict[str, list[str]]) -> None:
    """Refuse a host that leads to a loopback, private or other non-public address the
    operator does not allow (notify.outbound); the send checks again on connecting."""
    if field in errors or not host:
        return
    refusal = outbound.check_host(host)
    if refusal is not None:
        errors.setdefault(field, []).append(outbound.refusal_text(refusal))


def _token_from(value: str, url_param: str | None = None, path_tail: bool = False) -> str:
    """Accept either the bare key/token or the full webhook URL the vendor shows."""
    if value.startswith(("http://", "https://")):
        parts = urlsplit(value)
        if url_param:
            found = dict(parse_qsl(parts.query)).get(url_param)
            if found:
                return found
        if path_tail:
            return parts.path.rstrip("/").rsplit("/", 1)[-1]
    return value


def clean_config(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the settings of a channel of `kind` and return them normalised.

    Only the kind's own fields are kept. Raises ValidationError with a list of bilingual
    messages per field name (the names of FIELDS) when anything is wrong.
    """
    if kind not in ChannelKind.values:
        raise ValidationError(
            {
                "kind": _msg(
                    f"未知的通道类型“{kind}”，可选：{', '.join(ChannelKind.values)}",
                    f"unknown channel kind “{kind}”; choose one of {', '.join(ChannelKind.values)}",
                )
            }
        )
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for spec in fields_for(kind):
        value = data.get(spec.name)
        if spec.required and (value is None or (isinstance(value, str) and not value.strip())):
            errors.setdefault(spec.name, []).append(
                _msg(f"{spec.name} 为必填项", f"{spec.name} is required")
            )
    if errors:
        raise ValidationError(errors)

    if kind == ChannelKind.EMAIL:
        out.update(_clean_email(data, errors))
    elif kind == ChannelKind.WEBHOOK:
        out["webhook_url"] = _http_url(_str(data["webhook_url"]), "webhook_url", errors)
        _allowed_destination(urlsplit(out["webhook_url"]).hostname or "", "webhook_url", errors)
        headers = _pairs(data.get("webhook_headers"), "webhook_headers", errors)
        for name in headers:
            if not _HEADER_RE.match(name):
                errors.setdefault("webhook_headers", []).append(
                    _msg(
                        f"请求头名称“{name}”无效，只能包含字母、数字和连字符",
                        f"header name “{name}” is invalid; use letters, digits and hyphens",
                    )
                )
        out["webhook_headers"] = headers
    elif kind == ChannelKind.WECOM:
        key = _token_from(_str(data["wecom_key"]), url_param="key")
        if not _TOKEN_RE.match(key):
            errors.setdefault("wecom_key", []).append(
                _msg(
                    f"企业微信机器人 key“{key}”无效，应为字母、数字、-、_ 或完整的 webhook 地址",
                    f"WeCom bot key “{key}” is invalid; give the key (letters, digits, - and _)"
                    " or the full webhook URL",
                )
            )
        out["wecom_key"] = key
    elif kind == ChannelKind.DINGTALK:
        token = _token_from(_str(data["dingtalk_token"]), url_param="access_token")
        if not re.match(r"^[A-Za-z0-9]+$", token):
            errors.setdefault("dingtalk_token", []).append(
                _msg(
                    f"钉钉 access_token“{token}”无效，应为字母和数字或完整的 webhook 地址",
                    f"DingTalk access_token “{token}” is invalid; give the token (letters and"
                    " digits) or the full webhook URL",
                )
            )
        secret = _str(data.get("dingtalk_secret"))
        if secret and not re.match(r"^[A-Za-z0-9]+$", secret):
            errors.setdefault("dingtalk_secret", []).append(
                _msg(
                    "钉钉加签密钥只能包含字母和数字（形如 SEC…）",
                    "the DingTalk signing secret may contain only letters and digits (SEC…)",
                )
            )
        out["dingtalk_token"] = token
        out["dingtalk_secret"] = secret
    elif kind == ChannelKind.FEISHU:
        token = _token_from(_str(data["feishu_token"]), path_tail=True)
        if not _TOKEN_RE.match(token):
            errors.setdefault("feishu_token", []).append(
                _msg(
                    f"飞书机器人 token“{token}”无效，应为 hook 地址最后一段",
                    f"Feishu bot token “{token}” is invalid; give the last part of the hook URL"
                    " or the full URL",
                )
            )
        out["feishu_token"] = token
    elif kind == ChannelKind.SMS:
        out.update(_clean_sms(data, errors))
    if errors:
        raise ValidationError(errors)
    return out


def _clean_email(data: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    host = _str(data.get("smtp_host"))
    if not re.match(r"^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:]+\]$", host):
        errors.setdefault("smtp_host", []).append(
            _msg(
                f"SMTP 服务器“{host}”不是有效的主机名或 IP",
                f"SMTP host “{host}” is not a host name or IP",
            )
        )
    _allowed_destination(host, "smtp_host", errors)
    security = _str(data.get("smtp_security")) or SmtpSecurity.STARTTLS
    if security not in SmtpSecurity.CHOICES:
        errors.setdefault("smtp_security", []).append(
            _msg(
                f"加密方式“{security}”无效，可选：none、starttls、ssl",
                f"security “{security}” is invalid; choose none, starttls or ssl",
            )
        )
        security = SmtpSecurity.STARTTLS
    port_raw = _str(data.get("smtp_port"))
    port = SmtpSecurity.DEFAULT_PORT[security]
    if port_raw:
        try:
            port = int(port_raw)
            if not 1 <= port <= 65535:
                raise ValueError
        except ValueError:
            errors.setdefault("smtp_port", []).append(
                _msg(
                    f"端口“{port_raw}”无效，应为 1–65535 的整数",
                    f"port “{port_raw}” is invalid; give a whole number from 1 to 65535",
                )
            )
    from_address = _str(data.get("from_address"))
    try:
        validate_email(from_address)
    except ValidationError:
        errors.setdefault("from_address", []).append(
            _msg(f"发件地址“{from_address}”无效", f"sender address “{from_address}” is invalid")
        )
    raw_to = data.get("to_addresses")
    to_list = (
        [_str(a) for a in raw_to]
        if isinstance(raw_to, list | tuple)
        else [a.strip() for a in re.split(r"[,;\s]+", _str(raw_to))]
    )
    to_list = [a for a in to_list if a]
    for address in to_list:
        try:
            validate_email(address)
        except ValidationError:
            errors.setdefault("to_addresses", []).append(
                _msg(f"收件地址“{address}”无效", f"recipient address “{address}” is invalid")
            )
    if not to_list:
        errors.setdefault("to_addresses", []).append(
            _msg("至少需要一个收件地址", "give at least one recipient address")
        )
    username = _str(data.get("smtp_username"))
    password = _str(data.get("smtp_password"))
    if password and not username:
        errors.setdefault("smtp_username", []).append(
            _msg("填写了密码时必须填写用户名", "a user name is required when a password is given")
        )
    out.update(
        smtp_host=host,
        smtp_port=port,
        smtp_security=security,
        smtp_username=username,
        smtp_password=password,
        from_address=from_address,
        to_addresses=to_list,
    )
    return out


def _clean_sms(data: Mapping[str, Any], errors: dict[str, list[str]]) -> dict[str, Any]:
    url = _http_url(_str(data.get("sms_gateway_url")), "sms_gateway_url", errors)
    _allowed_destination(urlsplit(url).hostname or "", "sms_gateway_url", errors)
    method = _str(data.get("sms_method")) or SmsMethod.JSON
    if method not in SmsMethod.CHOICES:
        errors.setdefault("sms_method", []).append(
            _msg(
                f"提交方式“{method}”无效，可选：json、form",
                f"method “{method}” is invalid; choose json or form",
            )
        )
    phone = re.sub(r"[\s-]", "", _str(data.get("sms_phone")))
    if not _PHONE_RE.match(phone):
        errors.setdefault("sms_phone", []).append(
            _msg(
                f"手机号“{phone}”无效，应为 5–20 位数字，可带 + 前缀",
                f"phone number “{phone}” is invalid; give 5 to 20 digits, optionally after +",
            )
        )
    names = {}
    for field, default in (("sms_phone_field", "phone"), ("sms_message_field", "message")):
        name = _str(data.get(field)) or default
        if not _FIELD_NAME_RE.match(name):
            errors.setdefault(field, []).append(
                _msg(f"字段名“{name}”无效", f"field name “{name}” is invalid")
            )
        names[field] = name
    extra = _pairs(data.get("sms_extra"), "sms_extra", errors)
    for name in extra:
        if not _FIELD_NAME_RE.match(name):
            errors.setdefault("sms_extra", []).append(
                _msg(f"附加字段名“{name}”无效", f"extra field name “{name}” is invalid")
            )
    return {
        "sms_gateway_url": url,
        "sms_method": method,
        "sms_phone": phone,
        **names,
        "sms_extra": extra,
    }


# -- Apprise URLs --------------------------------------------------------------------------


def _q(value: Any) -> str:
    return quote(str(value), safe="")


def _query(params: Iterable[tuple[str, Any]]) -> str:
    return urlencode([(k, str(v)) for k, v in params], quote_via=quote)


# Headers a message may not set itself: Apprise's e-mail plugin writes these (and our
# dedup key) on its own. Custom headers are added first and Message-ID is then *appended*
# (apprise/plugins/email/base.py, prepare_emails: `base[k] = Header(v)` for each custom
# header, then `base["Message-ID"] = make_msgid(domain=smtp_host)`), so a Message-ID of
# ours would give the mail two Message-ID headers. Our own id goes into References instead.
RESERVED_MAIL_HEADERS = frozenset(
    {
        "message-id",
        "from",
        "to",
        "cc",
        "bcc",
        "reply-to",
        "subject",
        "date",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
        "x-baozhang-dedup-key",
    }
)


def clean_mail_headers(headers: Mapping[str, Any] | None) -> dict[str, str]:
    """Extra e-mail headers of one message, validated: names of letters, digits and
    hyphens, not one Apprise sets itself, values one line of at most 998 characters.
    Raises ValueError (bilingual)."""
    out: dict[str, str] = {}
    for name, value in (headers or {}).items():
        name = str(name).strip()
        if not _HEADER_RE.match(name):
            raise ValueError(
                _msg(
                    f"邮件头名称“{name}”无效，只能包含字母、数字和连字符",
                    f"mail header name “{name}” is invalid; use letters, digits and hyphens",
                )
            )
        if name.lower() in RESERVED_MAIL_HEADERS:
            raise ValueError(
                _msg(
                    f"邮件头“{name}”由发送程序设置，不能指定（Message-ID 请放入 References）",
                    f"mail header “{name}” is set by the sender itself and cannot be given"
                    " (put an own Message-ID into References)",
                )
            )
        text = _str(value)
        if "\r" in text or "\n" in text or len(text) > 998:
            raise ValueError(
                _msg(
                    f"邮件头“{name}”的值须为一行、不超过 998 个字符",
                    f"the value of mail header “{name}” must be one line of at most 998 characters",
                )
            )
        out[name] = text
    return out


def apprise_url(
    kind: str,
    config: Mapping[str, Any],
    *,
    dedup_key: str = "",
    timeout: float | None = None,
    recipient: str = "",
    headers: Mapping[str, Any] | None = None,
) -> str:
    """The Apprise URL that sends to a channel of `kind` with `config` (already cleaned).

    `dedup_key` goes into the outgoing message where the kind allows it (an e-mail header,
    an HTTP `Idempotency-Key` header and a `dedup_key` payload field) so receivers can
    drop repeats. `timeout` bounds each network connect and read. For e-mail only,
    `recipient` replaces the channel's "to" addresses and `headers` are added to the mail
    (as Apprise `+Name=value` arguments); other kinds refuse them with ValueError.
    """
    if (recipient or headers) and kind != ChannelKind.EMAIL:
        raise ValueError(
            _msg(
                f"只有邮件通道可以指定收件人或邮件头（此通道类型：{kind}）",
                f"only e-mail channels take a recipient or mail headers (this one is {kind})",
            )
        )
    common: list[tuple[str, Any]] = []
    if timeout:
        common += [("cto", timeout), ("rto", timeout)]

    if kind == ChannelKind.EMAIL:
        security = config.get("smtp_security", SmtpSecurity.STARTTLS)
        scheme = "mailto" if security == SmtpSecurity.NONE else "mailtos"
        mode = {"none": "insecure", "starttls": "starttls", "ssl": "ssl"}[security]
        auth = ""
        if config.get("smtp_username"):
            auth = _q(config["smtp_username"])
            if config.get("smtp_password"):
                auth += ":" + _q(config["smtp_password"])
            auth += "@"
        host = config["smtp_host"]
        params = [
            ("smtp", host),
            ("from", config["from_address"]),
            ("to", recipient or ",".join(config["to_addresses"])),
            ("mode", mode),
            ("format", "text"),
        ]
        params += [(f"+{k}", v) for k, v in clean_mail_headers(headers).items()]
        if dedup_key:
            params.append(("+X-Baozhang-Dedup-Key", dedup_key))
        return f"{scheme}://{auth}{host}:{config['smtp_port']}/?{_query(params + common)}"

    if kind in (ChannelKind.WEBHOOK, ChannelKind.SMS):
        if kind == ChannelKind.WEBHOOK:
            target = config["webhook_url"]
            schema = "json"
            params = [(f"+{k}", v) for k, v in config.get("webhook_headers", {}).items()]
        else:
            target = config["sms_gateway_url"]
            schema = config.get("sms_method", SmsMethod.JSON)
            message_field = config.get("sms_message_field", "message")
            # The gateway gets only the text, the phone number and its own extra fields.
            params = [(":title", ""), (":version", ""), (":type", "")]
            if schema == SmsMethod.JSON:
                params.append((":attachments", ""))
            if message_field != "message":
                params.append((":message", message_field))
            params.append((f":{config.get('sms_phone_field', 'phone')}", config["sms_phone"]))
            params += [(f":{k}", v) for k, v in config.get("sms_extra", {}).items()]
        parts = urlsplit(target)
        scheme = schema + ("s" if parts.scheme == "https" else "")
        auth = ""
        if parts.username:
            auth = _q(parts.username) + (f":{_q(parts.password)}" if parts.password else "") + "@"
        netloc = auth + (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
        params += [(f"-{k}", v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        if dedup_key:
            params += [("+Idempotency-Key", dedup_key), (":dedup_key", dedup_key)]
        params.append(("method", "POST"))
        return f"{scheme}://{netloc}{parts.path or '/'}?{_query(params + common)}"

    if kind == ChannelKind.WECOM:
        return f"wecombot://{_q(config['wecom_key'])}/?{_query(common)}"
    if kind == ChannelKind.DINGTALK:
        secret = config.get("dingtalk_secret")
        auth = f"{_q(secret)}@" if secret else ""
        return f"dingtalk://{auth}{_q(config['dingtalk_token'])}/?{_query(common)}"
    if kind == ChannelKind.FEISHU:
        return f"feishu://{_q(config['feishu_token'])}/?{_query(common)}"
    raise ValueError(f"unknown channel kind {kind!r}")


def secret_values(kind: str, config: Mapping[str, Any]) -> list[str]:
    """Every secret string in a channel's settings (and its URL-quoted form), longest first,
    so that error text can be redacted before it is stored or shown."""
    values: set[str] = set()
    for name in secret_fields(kind):
        value = config.get(name)
        if isinstance(value, Mapping):
            candidates = [str(v) for v in value.values()]
        elif name in ("webhook_url", "sms_gateway_url") and value:
            parts = urlsplit(str(value))
            candidates = [p for p in parts.path.split("/") if len(p) >= 8]
            candidates += [v for _, v in parse_qsl(parts.query)]
            if parts.password:
                candidates.append(parts.password)
        else:
            candidates = [str(value)] if value else []
        for candidate in candidates:
            if len(candidate) >= 4:
                values.update({candidate, _q(candidate)})
    return sorted(values, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def masked_config(kind: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """The settings with secrets hidden, for the API, the admin and the pages."""
    hidden = set(secret_fields(kind))
    out: dict[str, Any] = {}
    for name, value in config.items():
        if name in hidden and value:
            if name in URL_SECRET_FIELDS:
                out[name] = masked_url(value)
            elif isinstance(value, Mapping):
                out[name] = {k: MASK for k in value}
            else:
                out[name] = MASK
        else:
            out[name] = value
    return out
