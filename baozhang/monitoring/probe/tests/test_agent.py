"""The remote agent against a fake server on loopback that goes down (503, then not
listening at all) and comes back on the same port: every outcome arrives exactly once."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from baozhang.monitoring.probe import agent as agent_mod
from baozhang.monitoring.probe.agent import assignments_path, dead_letter_path, run_agent
from baozhang.monitoring.probe.specs import MonitorSpec, Outcome
from baozhang.monitoring.probe.spool import Spool
from baozhang.monitoring.probe.tests.helpers import closed_port, raw_server, serve

TOKEN = "s3cret"


class FakeServer:
    """The two probe endpoints. ``mode``: "up", "503", "422", "401", or "store-then-500"
    (store the batch, answer 500 once: the agent must resend it and we see a duplicate)."""

    def __init__(self, monitors: list[MonitorSpec]) -> None:
        self.monitors = monitors
        self.mode = "up"
        self.batches: dict[str, list[Outcome]] = {}
        self.duplicates = 0
        self.posts = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.add_routes(
            [
                web.get("/api/v1/probe/assignments", self.assignments),
                web.post("/api/v1/probe/results", self.results),
            ]
        )
        return app

    def _refusal(self, request: web.Request) -> web.Response | None:
        if request.headers.get("Authorization") != f"Bearer {TOKEN}" or self.mode == "401":
            return web.json_response({"detail": "bad token"}, status=401)
        if self.mode == "503":
            return web.Response(status=503, text="maintenance")
        return None

    async def assignments(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return web.json_response(
            {
                "region": "sh",
                "poll_seconds": 0.1,
                "monitors": [m.to_dict() for m in self.monitors],
            }
        )

    async def results(self, request: web.Request) -> web.Response:
        self.posts += 1
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        body = await request.json()
        if self.mode == "422":
            return web.json_response({"detail": "monitor 3 is not yours"}, status=422)
        assert body["region"] == "sh"
        batch_id = body["batch_id"]
        duplicate = batch_id in self.batches
        if duplicate:
            self.duplicates += 1
        else:
            self.batches[batch_id] = [Outcome.from_dict(r) for r in body["results"]]
        if self.mode == "store-then-500":
            self.mode = "up"
            return web.Response(status=500, text="oops after commit")
        return web.json_response({"accepted": len(body["results"]), "duplicate": duplicate})

    def delivered(self) -> list[Outcome]:
        return [o for batch in self.batches.values() for o in batch]


class CountingSpool(Spool):
    """Remembers every outcome the engine spooled."""

    appended: list[Outcome] = []

    def append(self, outcomes: list[Outcome]) -> None:
        super().append(outcomes)
        CountingSpool.appended.extend(outcomes)


@pytest.fixture(autouse=True)
def fast_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(agent_mod, "_BACKOFF_START", 0.02)
    monkeypatch.setattr(agent_mod, "_BACKOFF_CAP", 0.1)
    monkeypatch.setattr(agent_mod, "_AUTH_RETRY", 0.05)
    monkeypatch.setattr(agent_mod, "Spool", CountingSpool)
    CountingSpool.appended = []


async def until(condition: Callable[[], bool], limit: float = 4.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "condition never met"
        await asyncio.sleep(0.01)


async def _close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()


def monitors(port: int) -> list[MonitorSpec]:
    return [
        MonitorSpec(id=i, kind="tcp", target=f"127.0.0.1:{port}", interval=0.05, timeout=0.5)
        for i in (1, 2, 3)
    ]


def start_agent(port: int, spool: Path, stop: asyncio.Event, log: logging.Logger) -> Any:
    return asyncio.create_task(
        run_agent(
            server=f"http://127.0.0.1:{port}/",
            token=TOKEN,
            region="local-name",
            spool_path=spool,
            stop=stop,
            poll_seconds=0.1,
            send_interval=0.05,
            log=log,
        )
    )


def messages(caplog: pytest.LogCaptureFixture, text: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if text in r.getMessage()]


def test_every_outcome_arrives_exactly_once_through_outages(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.agent")
    caplog.set_level(logging.INFO, logger="test.agent")
    spool = tmp_path / "probe.sqlite3"

    async def main() -> FakeServer:
        async with raw_server(_close) as target:
            fake = FakeServer(monitors(target))
            stop = asyncio.Event()
            async with serve(fake.app()) as port:
                agent = start_agent(port, spool, stop, log)
                await until(lambda: len(fake.batches) >= 2)
                fake.mode = "503"
                posts = fake.posts
                await until(lambda: fake.posts >= posts + 2)
            # not listening at all: connection refused, while checks go on into the spool
            spooled = len(CountingSpool.appended)
            await until(lambda: len(CountingSpool.appended) >= spooled + 10)
            fake.mode = "store-then-500"
            async with serve(fake.app(), port=port):
                await until(lambda: fake.duplicates >= 1 and fake.mode == "up")
                await until(lambda: len(fake.delivered()) >= len(CountingSpool.appended))
                stop.set()
                await agent
        return fake

    fake = asyncio.run(main())
    delivered = fake.delivered()
    key = [(o.monitor_id, o.at) for o in delivered]
    assert len(set(key)) == len(key)  # nothing twice
    assert sorted(delivered, key=lambda o: (o.monitor_id, o.at)) == sorted(
        CountingSpool.appended, key=lambda o: (o.monitor_id, o.at)
    )  # and nothing missing
    assert {o.region for o in delivered} == {"sh"}  # the region the server assigns
    assert fake.duplicates >= 1
    with Spool(spool) as left:
        assert len(left) == 0
    assert len(messages(caplog, "results: server unreachable")) == 1
    assert len(messages(caplog, "results: server reachable again")) == 1
    saved = json.loads(assignments_path(spool).read_text())
    assert [m["id"] for m in saved["monitors"]] == [1, 2, 3]


def test_a_refused_batch_goes_to_the_dead_letter_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.agent")
    caplog.set_level(logging.INFO, logger="test.agent")
    spool = tmp_path / "probe.sqlite3"
    dead = dead_letter_path(spool)

    async def main() -> None:
        async with raw_server(_close) as target:
            fake = FakeServer(monitors(target))
            fake.mode = "422"
            stop = asyncio.Event()
            async with serve(fake.app()) as port:
                agent = start_agent(port, spool, stop, log)
                await until(lambda: dead.exists() and len(dead.read_text().splitlines()) >= 2)
                stop.set()
                await agent

    asyncio.run(main())
    lines = [json.loads(line) for line in dead.read_text().splitlines()]
    assert {line["status"] for line in lines} == {422}
    assert "monitor 3 is not yours" in lines[0]["reason"]
    assert len({line["batch_id"] for line in lines}) == len(lines)
    dead_results = [Outcome.from_dict(r) for line in lines for r in line["results"]]
    assert sorted(dead_results, key=lambda o: (o.monitor_id, o.at)) == sorted(
        CountingSpool.appended, key=lambda o: (o.monitor_id, o.at)
    )
    with Spool(spool) as left:
        assert len(left) == 0
    refused = messages(caplog, "the server refused batch")
    assert refused and "dead-letter" in refused[0]


def test_a_bad_token_is_reported_once_and_results_are_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.agent")
    caplog.set_level(logging.INFO, logger="test.agent")
    spool = tmp_path / "probe.sqlite3"

    async def main() -> None:
        async with raw_server(_close) as target:
            fake = FakeServer(monitors(target))
            stop = asyncio.Event()
            async with serve(fake.app()) as port:
                agent = start_agent(port, spool, stop, log)
                await until(lambda: len(fake.batches) >= 1)
                fake.mode = "401"
                posts = fake.posts
                await until(lambda: fake.posts >= posts + 3)
                stop.set()
                await agent

    asyncio.run(main())
    wrong = messages(caplog, "token is wrong or revoked")
    assert len(wrong) == 2  # once for assignments, once for results
    assert all("令牌错误或已被吊销" in m for m in wrong)
    with Spool(spool) as left:
        assert len(left) > 0  # kept for when the token is fixed


def test_an_agent_started_while_the_server_is_down_uses_saved_assignments(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    log = logging.getLogger("test.agent")
    caplog.set_level(logging.INFO, logger="test.agent")
    spool = tmp_path / "probe.sqlite3"

    async def main() -> None:
        async with raw_server(_close) as target:
            fake = FakeServer(monitors(target))
            stop = asyncio.Event()
            async with serve(fake.app()) as port:
                agent = start_agent(port, spool, stop, log)
                await until(lambda: assignments_path(spool).exists())
                stop.set()
                await agent
            CountingSpool.appended = []
            stop = asyncio.Event()
            agent = start_agent(closed_port(), spool, stop, log)
            await until(lambda: {o.monitor_id for o in CountingSpool.appended} == {1, 2, 3})
            stop.set()
            await agent

    asyncio.run(main())
    assert messages(caplog, "from the saved assignments")
    assert messages(caplog, "assignments: server unreachable")
    with Spool(spool) as left:
        assert len(left) >= len(CountingSpool.appended) > 0  # kept for the server
