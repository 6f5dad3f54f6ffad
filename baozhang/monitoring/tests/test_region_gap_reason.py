"""A probe region's gap says why it is one in the reader's language, never glued."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from baozhang.monitoring.models import Monitor, ProbeRegion, ProbeResult
from baozhang.monitoring.region_liveness import region_gaps


def test_a_silent_regions_gap_reads_in_the_readers_language(personas, settings):
    settings.MONITOR_RAW_DAYS = 8
    day = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)
    region = ProbeRegion.objects.create(name="east", token_hash="y" * 64)
    ProbeRegion.objects.filter(pk=region.pk).update(created_at=day)
    monitor = Monitor.objects.create(
        name="官网", kind="http", target="http://127.0.0.1/", interval_s=60, regions=["east"]
    )
    step = dt.timedelta(minutes=1)
    ProbeResult.objects.bulk_create(
        ProbeResult(monitor=monitor, region="east", at=day + i * step, ok=True) for i in range(30)
    )
    now = day + dt.timedelta(hours=1)

    said = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            [east] = [r for r in region_gaps(day, now, now=now) if r.region == "east"]
            said[language] = [g.reason for g in east.gaps]

    assert said == {
        "zh-hans": ["探测区域 east 未报告"],
        "en": ["probe region east stopped reporting"],
    }
