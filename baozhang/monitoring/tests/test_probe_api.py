"""The API remote probe regions use: assignments out, results in, each batch once."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import Client

from baozhang.monitoring import catalog
from baozhang.monitoring.models import Monitor, ProbeResult

NOW = "2026-11-27T06:00:00+00:00"


@pytest.fixture
def region(personas: Any) -> tuple[Any, str]:
    return catalog.create_region(personas.admin, name="guangzhou", description="广州")


@pytest.fixture
def monitors(region: tuple[Any, str]) -> dict[str, Monitor]:
    return {
        "gz": Monitor.objects.create(
            name="gz", kind="tcp", target="127.0.0.1:22", regions=["guangzhou"]
        ),
        "local": Monitor.objects.create(name="local", kind="tcp", target="127.0.0.1:22"),
        "push": Monitor.objects.create(
            name="push", kind="push", push_token="t", push_period_s=60, regions=["guangzhou"]
        ),
    }


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def post(client: Client, token: str, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/probe/results",
        json.dumps(body),
        content_type="application/json",
        **bearer(token),
    )


def test_a_region_gets_only_its_monitors_as_engine_specs(
    client: Client, region: tuple[Any, str], monitors: dict[str, Monitor]
) -> None:
    response = client.get("/api/v1/probe/assignments", **bearer(region[1]))
    assert response.status_code == 200
    data = response.json()
    assert data["region"] == "guangzhou"
    assert [m["id"] for m in data["monitors"]] == [monitors["gz"].id]
    assert data["monitors"][0]["kind"] == "tcp"
    region[0].refresh_from_db()
    assert region[0].last_seen_at is not None


def test_a_batch_sent_twice_is_stored_once(
    client: Client, region: tuple[Any, str], monitors: dict[str, Monitor]
) -> None:
    body = {
        "batch_id": uuid.uuid4().hex,
        "region": "guangzhou",
        "results": [
            {"monitor_id": monitors["gz"].id, "at": NOW, "ok": True, "latency_ms": 3.5},
            {"monitor_id": monitors["local"].id, "at": NOW, "ok": True},  # not its monitor
        ],
    }
    first = post(client, region[1], body)
    assert first.status_code == 200
    assert first.json() == {"accepted": 1, "duplicate": False, "ignored": 1}
    again = post(client, region[1], body)
    assert again.json()["duplicate"] is True
    assert ProbeResult.objects.filter(region="guangzhou").count() == 1
    monitors["gz"].refresh_from_db()
    assert monitors["gz"].status == "up"


def test_a_wrong_or_revoked_token_is_refused(
    client: Client, personas: Any, region: tuple[Any, str], monitors: dict[str, Monitor]
) -> None:
    assert client.get("/api/v1/probe/assignments", **bearer("nope")).status_code == 401
    catalog.deactivate_region(personas.admin, region[0])
    assert client.get("/api/v1/probe/assignments", **bearer(region[1])).status_code == 401


def test_a_token_speaks_only_for_its_own_region(
    client: Client, region: tuple[Any, str], monitors: dict[str, Monitor]
) -> None:
    response = post(client, region[1], {"batch_id": "b1", "region": "beijing", "results": []})
    assert response.status_code == 403
    assert "guangzhou" in response.json()["error"]["message"]


def test_malformed_results_are_refused_with_the_fields_named(
    client: Client, region: tuple[Any, str], monitors: dict[str, Monitor]
) -> None:
    response = post(
        client,
        region[1],
        {
            "batch_id": "b2",
            "region": "guangzhou",
            "results": [{"monitor_id": monitors["gz"].id, "at": "2026-11-27T06:00:00", "ok": 1}],
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["fields"]
    assert not ProbeResult.objects.exists()
