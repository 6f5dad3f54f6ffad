"""Reading an incident's timeline entry as each reader would: in Chinese and in English,
never glued."""

from __future__ import annotations

from django.utils import translation

from baozhang.incidents.models import IncidentUpdate


def entry_reads(entry: IncidentUpdate) -> tuple[str, str]:
    """(Chinese, English) reading of the entry (fetched afresh); asserts neither is glued."""
    fresh = IncidentUpdate.objects.get(pk=entry.pk)
    with translation.override("zh-hans"):
        zh = fresh.text
    with translation.override("en"):
        en = fresh.text
    assert " / " not in zh and " / " not in en, (zh, en)
    return zh, en
