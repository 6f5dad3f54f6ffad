"""An event's changes as a person reads them (issue 18 §1, §2): a choice by its label in
the reader's language, times in the reader's zone, never a raw UTC ISO string."""

from __future__ import annotations

import datetime as dt

from django.template import engines
from django.utils import timezone, translation

from baozhang.events.models import Event


def test_an_events_changes_show_labels_and_local_times(db) -> None:  # type: ignore[no-untyped-def]
    event = Event(
        kind="created",
        object_type="maintenance.maintenancewindow",
        object_id="1",
        after={"status": "scheduled", "start": "2026-12-21T10:00:00+00:00", "title": "x"},
        at=dt.datetime(2026, 12, 7, tzinfo=dt.UTC),
    )
    template = engines["django"].from_string(
        "{% load baozhang plain %}"
        "{% for k, old, new in e|changes %}{{ k }}={{ new|shown }};{% endfor %}"
    )
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        zh = template.render({"e": event})
    assert zh == "status=已计划;start=2026-12-21 18:00;title=x;"
    with translation.override("en"), timezone.override("Asia/Shanghai"):
        en = template.render({"e": event})
    assert "status=scheduled;" in en and "+00:00" not in en
