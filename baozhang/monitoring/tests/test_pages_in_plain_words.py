"""Monitoring pages in the reader's words (issue 18 §1, §2): intervals as people say them,
service names in the reader's language, and a new monitor's figures stated as provisional
with how long it has been watched."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from baozhang.monitoring.models import MonitorStatus, StateSpell


def _page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_list_says_intervals_and_service_names_in_the_readers_language(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory, service_factory
) -> None:
    web = service_factory(name="官网", name_en="Web site")
    monitor_factory("http", name="Home page", services=[web], interval_s=30)
    monitor_factory("push", name="Nightly backup", push_period_s=86400)
    client = login(personas.engineer)
    url = reverse("monitoring:monitors")

    zh = _page(client, url)
    assert "每 30 秒" in zh and "每天" in zh and "官网" in zh
    assert "86400" not in zh

    personas.engineer.language = "en"
    personas.engineer.save(update_fields=["language"])
    en = _page(client, url)
    assert "every 30 seconds" in en and "daily" in en
    assert "Web site" in en and "官网" not in en


def test_a_monitor_a_minute_old_says_so_and_its_figures_are_provisional(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    monitor = monitor_factory("http", name="Fresh")
    StateSpell.objects.create(
        monitor=monitor, state=MonitorStatus.UP, start=timezone.now() - dt.timedelta(seconds=40)
    )
    page = _page(login(personas.engineer), reverse("monitoring:monitor", args=[monitor.pk]))
    assert 'data-provisional="1"' in page
    assert "已监测时长" in page and "40 秒" in page
    assert "目前可用率（暂定）" in page
    # No large "29 天 23 小时 … excluded" figure for the time before it existed.
    assert 'data-testid="excluded-time"' not in page


def test_a_monitor_watched_for_ten_days_states_its_figures(  # type: ignore[no-untyped-def]
    login, personas, monitor_factory
) -> None:
    monitor = monitor_factory("http", name="Settled")
    StateSpell.objects.create(
        monitor=monitor, state=MonitorStatus.UP, start=timezone.now() - dt.timedelta(days=10)
    )
    page = _page(login(personas.engineer), reverse("monitoring:monitor", args=[monitor.pk]))
    assert 'data-provisional="1"' not in page
    assert 'data-testid="excluded-time"' in page
    assert "20 天" in page  # the 20 days before it existed, said as people say it
