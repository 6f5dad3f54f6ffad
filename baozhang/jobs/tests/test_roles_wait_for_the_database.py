"""A long-running role started while PostgreSQL cannot be reached waits for it, saying so
once, instead of dying with a traceback; when the database answers it goes on (here to the
schema check, since the database it finds was never migrated)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from baozhang.notify.tests.receivers import free_port

pytestmark = pytest.mark.postgres_only


class _Forwarder:
    """A TCP forwarder on loopback to the shared PostgreSQL, started on demand."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.base_events.Server | None = None

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", 5432)
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    def start(self) -> None:
        self.thread.start()

        async def serve() -> None:
            self.server = await asyncio.start_server(self._client, "127.0.0.1", self.port)

        asyncio.run_coroutine_threadsafe(serve(), self.loop).result(timeout=5)

    def stop(self) -> None:
        if self.server is not None:
            self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)


def test_a_worker_started_without_a_database_waits_for_it(tmp_path: Path) -> None:
    # Given a worker whose database address answers nothing yet
    port = free_port()
    env = {
        **os.environ,
        "BAOZHANG_HOME": str(tmp_path),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/postgres",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "baozhang", "worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    forwarder = _Forwarder(port)
    try:
        # When it has tried for a while, it is still running
        time.sleep(4)
        assert worker.poll() is None
        # And when the database answers, it goes on to the schema check
        forwarder.start()
        output, _ = worker.communicate(timeout=60)
    finally:
        forwarder.stop()
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
    # Then it said once that the database was away, once that it was back, no traceback
    assert "Traceback" not in output
    assert output.count("the database is unavailable") == 1
    assert "the database is available again" in output
    # and the database it found was never migrated: one bilingual line, exit 78
    assert worker.returncode == 78
    assert "run `baozhang migrate`" in output
    assert "数据库尚未初始化" in output
