"""Timeline entries keep a text of ours as its message and parameters (``text_id``,
``params``), read in each reader's language. Entries of ours written before, glued
``中文 / English``, become such messages where their form is known; other entries the
system wrote (no author) are marked ``glued`` and read in the reader's half. Text a
person typed stays as typed."""

from __future__ import annotations

import re
from typing import Any

import django.core.serializers.json
from django.db import migrations, models

GLUED = "glued"
SEVERITIES = {"critical": "Critical", "major": "Major", "minor": "Minor"}


def _severity(match: re.Match[str]) -> dict[str, Any]:
    label = SEVERITIES.get(match["severity"].lower(), match["severity"])
    return {"severity": {"said": label, "params": None}}


# (the form of an old entry, the message it says, its parameters from the match)
KNOWN: list[tuple[re.Pattern[str], str, Any]] = [
    (
        re.compile(r"(?s)(?P<who>.+) 已确认 / acknowledged by (?P=who)"),
        "acknowledged by %(who)s",
        lambda m: {"who": m["who"]},
    ),
    (
        re.compile(
            r"(?s)派 (?P<engineer>.+?) 前往 (?P<location>.+?) / engineer (?P=engineer) "
            r"dispatched to (?P=location)\n(?P<note>.+)"
        ),
        "engineer %(engineer)s sent to %(location)s: %(note)s",
        lambda m: {"engineer": m["engineer"], "location": m["location"], "note": m["note"]},
    ),
    (
        re.compile(
            r"(?s)派 (?P<engineer>.+?) 前往 (?P<location>.+?) / engineer (?P=engineer) "
            r"dispatched to (?P=location)"
        ),
        "engineer %(engineer)s sent to %(location)s",
        lambda m: {"engineer": m["engineer"], "location": m["location"]},
    ),
    (
        re.compile(r"复盘完成 / reviewed\n(?P<cause>[^\n]*)\n(?P<prevention>[^\n]*)"),
        "reviewed: %(cause)s; prevention: %(prevention)s",
        lambda m: {"cause": m["cause"], "prevention": m["prevention"]},
    ),
    (
        re.compile(
            r"(?s)紧急事件记录：(?P<procedure>.*) / emergency event (?P<what>recorded|cleared): "
            r"(?P=procedure)"
        ),
        None,
        lambda m: {"procedure": m["procedure"]},
    ),
    (
        re.compile(
            r"未在 (?P<minutes>\d+) 分钟恢复时限内恢复（时限 (?P<due>.+?)） / restore target "
            r"missed: not restored within (?P=minutes) minutes \(due (?P=due)\)"
        ),
        "restore target missed: not restored within %(minutes)s minutes (due %(due)s)",
        lambda m: {"minutes": int(m["minutes"]), "due": m["due"]},
    ),
    (
        re.compile(
            r"发现故障，正在处理。 / A fault was detected \((?P<severity>[^)]+)\); we are "
            r"working on it\."
        ),
        "A fault was detected (%(severity)s); we are working on it.",
        _severity,
    ),
    (
        re.compile(
            r"收到客户故障报告，正在处理。 / A customer reported a fault; we are working on it\."
        ),
        "A customer reported a fault; we are working on it.",
        lambda m: None,
    ),
    (
        re.compile(
            r"(?s)监控 (?P<monitor>.+?) 报告故障：(?P<reason>.*) / monitor (?P=monitor) is "
            r"down: (?P=reason)"
        ),
        "monitor %(monitor)s is down: %(reason)s",
        lambda m: {"monitor": m["monitor"], "reason": m["reason"]},
    ),
    (
        re.compile(
            r"(?s)监控 (?P<monitor>.+?) 已恢复：(?P<reason>.*) / monitor (?P=monitor) is up "
            r"again: (?P=reason)"
        ),
        "monitor %(monitor)s is up again: %(reason)s",
        lambda m: {"monitor": m["monitor"], "reason": m["reason"]},
    ),
    (
        re.compile(
            r"所有监控均已恢复正常，自动恢复。 / Recovered automatically: every monitor is up "
            r"again\."
        ),
        "Recovered automatically: every monitor is up again.",
        lambda m: None,
    ),
]


def said_of(message: str, *, by_system: bool) -> tuple[str, dict[str, Any] | None] | None:
    """(text_id, params) for an old entry of ours, None for text a person typed."""
    for pattern, msgid, params in KNOWN:
        match = pattern.fullmatch(message)
        if match is not None:
            if msgid is None:
                msgid = f"emergency event {match['what']}: %(procedure)s"
            return msgid, params(match)
    if by_system and " / " in message:
        return GLUED, None
    return None


def forwards(apps: Any, schema_editor: Any) -> None:
    IncidentUpdate = apps.get_model("incidents", "IncidentUpdate")
    for entry in IncidentUpdate.objects.filter(text_id="", message__contains=" / ").iterator():
        found = said_of(entry.message, by_system=entry.author_id is None)
        if found is not None:
            entry.text_id, entry.params = found
            entry.save(update_fields=["text_id", "params"])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0005_emergency_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentupdate",
            name="params",
            field=models.JSONField(
                blank=True,
                encoder=django.core.serializers.json.DjangoJSONEncoder,
                null=True,
                verbose_name="message parameters",
            ),
        ),
        migrations.AddField(
            model_name="incidentupdate",
            name="text_id",
            field=models.CharField(blank=True, max_length=300, verbose_name="message id"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
