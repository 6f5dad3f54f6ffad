"""An inbound message keeps why it is where it is as steps said in the reader's language
(``InboundMessage.reason_parts``: one message of the catalogue and its parameters per
step), no longer as ``English / 中文`` glued text. Reasons stored before in a known form
become such steps (the English ``reason`` is written anew from them); a reason of another
form stays as it was and reads in the reader's half (core.bilingual.one_language)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import django.core.serializers.json
from django.db import migrations, models

from baozhang.core.bilingual import one_language

Step = dict[str, Any]


def step(msgid: str, **params: Any) -> Step:
    return {"said": msgid, "params": params or None}


# Why no acknowledgement was sent, as written before → the message it says now.
WHY_NOT: list[tuple[re.Pattern[str], Callable[[re.Match[str]], Step]]] = [
    (
        re.compile(r"(?s)no valid sender address “(?P<address>.*)” / 发件地址无效"),
        lambda m: step("no valid sender address “%(address)s”", address=m["address"]),
    ),
    (
        re.compile(r"no enabled e-mail channel of the operator / 运营方没有启用的邮件通道"),
        lambda m: step("the operator has no enabled e-mail channel"),
    ),
    (
        re.compile(r"the sender is our own sending address / 发件人是本系统的发件地址"),
        lambda m: step("the sender is our own sending address"),
    ),
    (
        re.compile(r"the operator's e-mail channel is disabled / 运营方邮件通道已停用"),
        lambda m: step("the operator's e-mail channel is disabled"),
    ),
]


def _why_not(text: str) -> Step | str:
    for pattern, said in WHY_NOT:
        match = pattern.fullmatch(text)
        if match is not None:
            return said(match)
    return text  # the outbox's own words (a glued pair reads in the reader's half)


def _why_automatic(text: str) -> Step | str:
    """What made a mail automatic: ours (a list, a delivery report, a bounce sender) said
    again, a header as it came."""
    if text in ("mailing list", "delivery report"):
        return step(text)
    if text.startswith("sender "):
        return step("sender %(address)s", address=text.removeprefix("sender "))
    return text


def _handled(match: re.Match[str]) -> list[Step]:
    """Opened or replied to a ticket, perhaps released by someone first."""
    steps = []
    if match["user"]:
        steps.append(step("Released by %(user)s.", user=match["user"]))
    if match["what"] == "opened":
        steps.append(step("Opened %(ticket)s.", ticket=match["ticket"]))
    else:
        steps.append(step("Reply to %(ticket)s.", ticket=match["ticket"]))
    if match["why"] is not None:
        steps.append(step("No acknowledgement sent: %(why)s.", why=_why_not(match["why"])))
    return steps


_RELEASED = r"(?:released by (?P<user>\S+?): )?"

# (the form of an old reason, its steps from the match)
KNOWN: list[tuple[re.Pattern[str], Callable[[re.Match[str]], list[Step]]]] = [
    (re.compile(r"unknown sender / 未知发件人"), lambda m: [step("Unknown sender.")]),
    (
        re.compile(r"rate limit / 发送过于频繁"),
        lambda m: [step("Rate limit: too many messages from this sender.")],
    ),
    (
        re.compile(r"duplicate of #(?P<pk>\d+) / 重复"),
        lambda m: [step("Duplicate of inbound e-mail #%(inbound)s.", inbound=int(m["pk"]))],
    ),
    (
        re.compile(
            r"(?s)sender (?P<sender>.*) is not of (?P<ticket>\S+)'s customer"
            r" / 发件人不属于工单 (?P=ticket) 的客户"
        ),
        lambda m: [
            step(
                "The sender %(sender)s is not of the customer of %(ticket)s.",
                sender=m["sender"],
                ticket=m["ticket"],
            )
        ],
    ),
    (
        re.compile(
            r"(?s)" + _RELEASED + r"automatic mail \((?P<why>.*)\) on (?P<ticket>\S+), no status change"
            r" / 自动邮件，不改变状态"
        ),
        lambda m: [
            *([step("Released by %(user)s.", user=m["user"])] if m["user"] else []),
            step(
                "Automatic mail (%(why)s) on %(ticket)s, no status change.",
                why=_why_automatic(m["why"]),
                ticket=m["ticket"],
            ),
        ],
    ),
    (
        re.compile(r"(?s)automatic mail \((?P<why>.*)\) / 自动邮件"),
        lambda m: [step("Automatic mail (%(why)s).", why=_why_automatic(m["why"]))],
    ),
    (
        re.compile(r"address belongs to another customer / 地址属于其他客户"),
        lambda m: [step("The address belongs to another customer.")],
    ),
    (
        re.compile(
            r"(?s)" + _RELEASED + r"(?P<what>opened|reply to) (?P<ticket>BZ-\d+)"
            r"(?:; no acknowledgement / 未发送回执: (?P<why>.*))?"
        ),
        _handled,
    ),
    (
        re.compile(r"(?s)error: (?P<error>[\w.]+): (?P<detail>.*)"),
        lambda m: [
            step("Routing failed: %(error)s: %(detail)s", error=m["error"], detail=m["detail"])
        ],
    ),
]

IGNORED = re.compile(r"(?s)(?P<rest>.*); ignored by (?P<user>\S+)")


def parts_of(reason: str) -> list[Step] | None:
    """The steps of an old reason; None when its form is unknown (it stays as written)."""
    ignored = IGNORED.fullmatch(reason)
    rest = ignored["rest"] if ignored is not None else reason
    steps: list[Step] | None = None
    for pattern, said in KNOWN:
        match = pattern.fullmatch(rest)
        if match is not None:
            steps = said(match)
            break
    if ignored is None:
        return steps
    # The step before the ignoring, if unknown, stays as it was written.
    return [*(steps or [{"text": rest}]), step("Ignored by %(user)s.", user=ignored["user"])]


def _english(part: Step) -> str:
    """A step as the record keeps it: in English, a sentence."""
    if "said" in part:
        params = {
            key: value["said"] % (value.get("params") or {})
            if isinstance(value, dict)
            else one_language(value, "en")
            if isinstance(value, str)
            else value
            for key, value in (part.get("params") or {}).items()
        }
        text = str(part["said"]) % params if params else str(part["said"])
    else:
        text = one_language(str(part.get("text", "")), "en")
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else f"{text}."


def forwards(apps: Any, schema_editor: Any) -> None:
    InboundMessage = apps.get_model("mailin", "InboundMessage")
    for inbound in InboundMessage.objects.exclude(reason="").iterator():
        if inbound.reason_parts:
            continue
        parts = parts_of(inbound.reason)
        if parts is not None:
            inbound.reason_parts = parts
            inbound.reason = " ".join(_english(part) for part in parts)
            inbound.save(update_fields=["reason", "reason_parts"])


class Migration(migrations.Migration):
    dependencies = [
        ("mailin", "0002_charset_repair"),
    ]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="reason_parts",
            field=models.JSONField(
                blank=True,
                default=list,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                verbose_name="reason as said",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
