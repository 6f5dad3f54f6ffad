"""A remote region's agent against the real server (N1): cut off from it for a while, it
keeps checking, holds its results on disk, and delivers every one once it is back."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from baozhang.monitoring import catalog
from baozhang.monitoring.models import Monitor, ProbeResult
from baozhang.monitoring.probe.agent import run_agent
from baozhang.monitoring.probe.spool import Spool

pytestmark = pytest.mark.django_db(transaction=True)

# Long enough for several checks and failed sends (the logic has no clock); set
# BAOZHANG_AGENT_CUT_SECONDS=60 to cut it off for the full minute of the issue.
CUT_SECONDS = float(os.environ.get("BAOZHANG_AGENT_CUT_SECONDS", "5"))


class CountingTarget:
    """A TCP port on loopback that counts the connections made to it (one per check)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.count = 0
        self._stop = False
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.count += 1
            conn.close()

    def close(self) -> None:
        self._stop = True
        self.sock.close()


class Cable:
    """A TCP relay in front of the server that can be cut (nothing listens, open
    connections are dropped) and mended on the same port."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        probe = socket.create_server(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.conns: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.mend()

    def mend(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        assert self.listener is not None
        self.listener.close()
        self.listener = None
        for conn in self.conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()
        self.conns.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.upstream)
            self.conns += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()


def wait_until(condition: Callable[[], Any], what: str, limit: float = 60) -> Any:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"never happened: {what}")


def test_an_agent_cut_off_from_the_server_loses_no_results(
    live_server: Any, personas: Any, tmp_path: Path
) -> None:
    _region, token = catalog.create_region(personas.admin, name="chengdu")
    target = CountingTarget()
    Monitor.objects.create(
        name="成都节点 Chengdu node",
        kind="tcp",
        target=f"127.0.0.1:{target.port}",
        interval_s=1,
        timeout_s=0.5,
        regions=["chengdu"],
    )
    host, port = live_server.url.split("//")[1].split(":")
    cable = Cable((host, int(port)))
    spool_path = tmp_path / "chengdu.spool"
    loop_ready = threading.Event()
    holder: dict[str, Any] = {}

    def agent() -> None:
        async def main() -> None:
            holder["stop"] = asyncio.Event()
            holder["loop"] = asyncio.get_running_loop()
            loop_ready.set()
            await run_agent(
                server=f"http://127.0.0.1:{cable.port}",
                token=token,
                region="chengdu",
                spool_path=spool_path,
                stop=holder["stop"],
                poll_seconds=0.5,
                send_interval=0.2,
            )

        asyncio.run(main())

    thread = threading.Thread(target=agent, daemon=True)
    thread.start()
    loop_ready.wait(5)
    try:
        wait_until(lambda: ProbeResult.objects.filter(region="chengdu").exists(), "first results")
        cable.cut()
        cut_at = dt.datetime.now(dt.UTC)
        checks_before = target.count
        time.sleep(CUT_SECONDS)
        assert target.count > checks_before  # it kept checking while cut off
        cable.mend()
        mended_at = dt.datetime.now(dt.UTC)
        checks_at_mend = target.count
        wait_until(
            lambda: ProbeResult.objects.filter(region="chengdu").count() >= checks_at_mend,
            "the checks made while cut off delivered",
        )
    finally:
        stop = holder.get("stop")
        if stop is not None:
            holder["loop"].call_soon_threadsafe(stop.set)
        thread.join(timeout=30)
        cable.cut()
        target.close()
    rows = list(ProbeResult.objects.filter(region="chengdu").values_list("at", flat=True))
    with Spool(spool_path) as spool:
        left = len(spool)
    assert len(rows) == len(set(rows))  # each once
    assert len(rows) + left == target.count  # none lost (any left waits for the next start)
    assert any(cut_at < at < mended_at for at in rows)  # made while cut off
