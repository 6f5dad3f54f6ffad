"""Monitoring's data migrations keep what was stored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("monitoring", "0002_drop_redundant_monitor_indexes")
AFTER = ("monitoring", "0003_check_state")
AT = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)


@pytest.mark.django_db(transaction=True)
def test_moving_states_to_check_state_keeps_each_monitors_state_and_last_check() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        old = executor.loader.project_state([BEFORE]).apps
        Monitor = old.get_model("monitoring", "Monitor")
        state = {"state": "down", "regions": [{"region": "local", "error": "拒绝连接 refused"}]}
        checked = Monitor.objects.create(
            name="checked", kind="http", target="http://127.0.0.1/", state=state, last_check_at=AT
        )
        never = Monitor.objects.create(name="never checked", kind="tcp", target="127.0.0.1:1")

        executor = MigrationExecutor(connection)
        executor.migrate([AFTER])
        new = executor.loader.project_state([AFTER]).apps
        CheckState = new.get_model("monitoring", "CheckState")
        rows = {
            m: (json.loads(s), c)
            for m, s, c in CheckState.objects.values_list("monitor_id", "state", "last_check_at")
        }
        assert rows == {checked.pk: (state, AT), never.pk: ({}, None)}
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
