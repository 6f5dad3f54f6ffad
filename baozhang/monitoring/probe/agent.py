"""A remote probe: fetch assignments from the server, check, spool, send (no Django).

Three tasks share one stop event:

- the poller GETs ``/api/v1/probe/assignments`` every ``poll_seconds`` (the server may
  change the period) and hands the monitors to the engine; the last good answer is kept
  next to the spool, so an agent that starts while the server is unreachable checks what
  it was last told to;
- the engine checks and appends every outcome to the spool (durable before it counts);
- the sender POSTs the spool's oldest batch to ``/api/v1/probe/results`` and acks it on
  200. Connection errors, timeouts and 5xx keep the batch and retry with capped
  exponential backoff, logging once when the server is lost and once when it is back;
  401/403 log that the token is wrong or revoked and retry slowly; 400/422 mean the server
  refused the batch: it is moved to the dead-letter file (JSON lines) and logged.

A batch keeps its id until acked, so a batch the server stored but whose answer was lost
comes back with the same id and the server can drop it as a duplicate.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
from pathlib import Path
from typing import Any

import aiohttp

from baozhang.monitoring.probe.engine import Engine
from baozhang.monitoring.probe.specs import MonitorSpec, Outcome, bilingual
from baozhang.monitoring.probe.spool import Spool

__all__ = ["Agent", "assignments_path", "dead_letter_path", "run_agent"]

SEND_BATCH = 1000  # outcomes per POST
REQUEST_TIMEOUT = 30.0  # seconds for one request to the server
_BACKOFF_START = 0.5
_BACKOFF_CAP = 30.0
_AUTH_RETRY = 60.0  # a bad token will not fix itself quickly
_POLL_MIN, _POLL_MAX = 0.1, 3600.0


def assignments_path(spool_path: Path) -> Path:
    """Where the last assignments are kept: ``<spool>.assignments.json`` beside it."""
    return spool_path.with_name(spool_path.name + ".assignments.json")


def dead_letter_path(spool_path: Path) -> Path:
    """Where refused batches go: ``<spool>.dead-letter.jsonl`` beside it."""
    return spool_path.with_name(spool_path.name + ".dead-letter.jsonl")


class _Link:
    """Logs a channel's outages once each: when it is lost, and when it is back."""

    def __init__(
        self, log: logging.Logger, what: tuple[str, str], meanwhile: tuple[str, str]
    ) -> None:
        self.log = log
        self.en, self.zh = what
        self.meanwhile = meanwhile
        self.state = "up"

    def up(self) -> None:
        if self.state != "up":
            self.log.info(
                "%s", bilingual(f"{self.en}: server reachable again", f"{self.zh}：服务器已恢复")
            )
            self.state = "up"

    def down(self, why: str) -> None:
        if self.state != "down":
            self.log.warning(
                "%s",
                bilingual(
                    f"{self.en}: server unreachable ({why}); {self.meanwhile[0]}",
                    f"{self.zh}：无法连接服务器（{why}）；{self.meanwhile[1]}",
                ),
            )
            self.state = "down"

    def auth(self, status: int) -> None:
        if self.state != "auth":
            self.log.error(
                "%s",
                bilingual(
                    f"{self.en}: the server answered {status}: the probe token is wrong or "
                    "revoked; results are kept; set a valid token",
                    f"{self.zh}：服务器返回 {status}：探针令牌错误或已被吊销；结果已保留；"
                    "请配置有效的令牌",
                ),
            )
            self.state = "auth"


def _clip(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _why(exc: BaseException) -> str:
    return _clip(str(exc) or type(exc).__name__)


async def _wait(stop: asyncio.Event, seconds: float) -> bool:
    """Sleep ``seconds`` or until ``stop``; True when stopped."""
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return False
    return True


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _append_line(path: Path, record: dict[str, Any]) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
        f.flush()
        os.fsync(f.fileno())


def _specs(doc: Any, log: logging.Logger) -> list[MonitorSpec] | None:
    """The monitors of an assignments document; a bad monitor is logged and skipped,
    a bad document gives None."""
    if not isinstance(doc, dict) or not isinstance(doc.get("monitors"), list):
        return None
    specs: list[MonitorSpec] = []
    seen: set[int] = set()
    for item in doc["monitors"]:
        try:
            spec = MonitorSpec.from_dict(item)
        except ValueError as exc:
            log.error("%s", bilingual(f"monitor skipped: {exc}", "已跳过无效的监控"))
            continue
        if spec.id not in seen:
            seen.add(spec.id)
            specs.append(spec)
    return specs


class Agent:
    """A remote probe's three tasks around one engine, spool and stop event: the poller
    (:meth:`poll`), the engine, and the sender (:meth:`send`). Build it, then ``await
    agent.run()``; :func:`run_agent` does both."""

    def __init__(
        self,
        *,
        server: str,
        token: str,
        region: str,
        spool_path: Path,
        stop: asyncio.Event,
        poll_seconds: float = 30,
        send_interval: float = 1.0,
        log: logging.Logger | None = None,
    ) -> None:
        self.log = log or logging.getLogger("baozhang.probe.agent")
        spool_path = Path(spool_path)
        self.base = server.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}
        self.stop = stop
        self.send_interval = send_interval
        self.spool = Spool(spool_path)
        self.saved = assignments_path(spool_path)
        self.dead = dead_letter_path(spool_path)
        # One disk commit per send.
        self.engine = Engine(region, self._sink, flush_interval=send_interval)
        self.poll_seconds = float(poll_seconds)
        self.last: Any = None  # the last assignments document adopted from the server

    async def _sink(self, outcomes: list[Outcome]) -> None:
        await asyncio.to_thread(self.spool.append, outcomes)

    def adopt(self, doc: dict[str, Any], specs: list[MonitorSpec]) -> None:
        """Check ``specs`` from now on, and take the region and polling period ``doc``
        gives."""
        engine, log = self.engine, self.log
        engine.set_monitors(specs)
        told = doc.get("region")
        if isinstance(told, str) and told and told != engine.region:
            log.warning(
                "%s",
                bilingual(
                    f"the server assigns region {told!r}, not {engine.region!r}; using {told!r}",
                    f"服务器分配的区域是 {told!r} 而不是 {engine.region!r}；改用 {told!r}",
                ),
            )
            engine.region = told
        p = doc.get("poll_seconds")
        if isinstance(p, int | float) and not isinstance(p, bool) and p > 0:
            self.poll_seconds = min(_POLL_MAX, max(_POLL_MIN, float(p)))

    def load_saved(self) -> None:
        """Adopt the assignments saved by the last run, if they can be read."""
        if not self.saved.exists():
            return
        try:
            doc = json.loads(self.saved.read_text(encoding="utf-8"))
            specs = _specs(doc, self.log)
            if specs is not None:
                self.adopt(doc, specs)
                self.log.info(
                    "%s",
                    bilingual(
                        f"checking {len(specs)} monitors from the saved assignments "
                        "until the server answers",
                        f"在服务器响应前按已保存的任务检查 {len(specs)} 个监控",
                    ),
                )
        except (OSError, ValueError) as exc:
            self.log.warning(
                "%s",
                bilingual(f"saved assignments unreadable: {_why(exc)}", "已保存的任务无法读取"),
            )

    async def poll(self, http: aiohttp.ClientSession) -> None:
        """Fetch the assignments every polling period until stopped."""
        link = _Link(
            self.log,
            ("assignments", "获取任务"),
            ("checking with the last assignments", "继续按上次的任务检查"),
        )
        url = f"{self.base}/api/v1/probe/assignments"
        backoff = 0.0
        while not self.stop.is_set():
            delay = self.poll_seconds
            try:
                async with http.get(url, headers=self.headers) as r:
                    if r.status in (401, 403):
                        link.auth(r.status)
                        delay = max(delay, _AUTH_RETRY)
                    elif r.status != 200:
                        raise ValueError(f"HTTP {r.status}")
                    else:
                        doc = await r.json(content_type=None)
                        if doc != self.last:  # 20,000 specs take a while to validate
                            specs = _specs(doc, self.log)
                            if specs is None:
                                raise ValueError("answer is not an assignments document")
                            self.adopt(doc, specs)
                            await asyncio.to_thread(
                                _write_atomic, self.saved, json.dumps(doc, ensure_ascii=False)
                            )
                            self.last = doc
                        link.up()
                        backoff = 0.0
            except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
                link.down(_why(exc))
                backoff = min(_BACKOFF_CAP, max(_BACKOFF_START, backoff * 2))
                delay = min(delay, backoff)
            await _wait(self.stop, delay)

    async def send_one(self, http: aiohttp.ClientSession, link: _Link) -> str:
        """Deliver the oldest batch: "empty", "sent", "dead", "auth" or "retry"."""
        spool, dead = self.spool, self.dead
        batch_id, outcomes = await asyncio.to_thread(spool.peek, SEND_BATCH)
        if not outcomes:
            return "empty"
        results = [o.to_dict() for o in outcomes]
        body = {"batch_id": batch_id, "region": outcomes[0].region, "results": results}
        url = f"{self.base}/api/v1/probe/results"
        try:
            async with http.post(url, json=body, headers=self.headers) as r:
                if r.status == 200:
                    answer = await r.json(content_type=None)
                    if not isinstance(answer, dict) or "accepted" not in answer:
                        raise ValueError("200 without an 'accepted' count")
                    await asyncio.to_thread(spool.ack, batch_id)
                    link.up()
                    return "sent"
                if r.status in (401, 403):
                    link.auth(r.status)
                    return "auth"
                if r.status in (400, 422):
                    reason = (await r.text())[:2000]
                    record = {
                        "refused_at": dt.datetime.now(dt.UTC).isoformat(),
                        "status": r.status,
                        "reason": reason,
                        **body,
                    }
                    await asyncio.to_thread(_append_line, dead, record)
                    await asyncio.to_thread(spool.ack, batch_id)
                    self.log.error(
                        "%s",
                        bilingual(
                            f"the server refused batch {batch_id} ({r.status}: "
                            f"{_clip(reason)}); its {len(results)} results were "
                            f"moved to {dead}",
                            f"服务器拒收批次 {batch_id}（{r.status}）；其 {len(results)} 条结果"
                            f"已移至 {dead}",
                        ),
                    )
                    return "dead"
                link.down(f"HTTP {r.status}")
                return "retry"
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            link.down(_why(exc))
            return "retry"

    async def send(self, http: aiohttp.ClientSession, engine_task: asyncio.Task[None]) -> None:
        """Deliver the spool until stopped; then, once the engine has finished, one last
        attempt."""
        link = _Link(
            self.log,
            ("results", "上报结果"),
            ("results stay in the spool and are retried", "结果保存在本地队列中并会重试"),
        )
        backoff = 0.0
        while not self.stop.is_set():
            result = await self.send_one(http, link)
            if result in ("sent", "dead"):
                backoff = 0.0
                continue
            if result == "empty":
                await _wait(self.stop, self.send_interval)
            elif result == "auth":
                await _wait(self.stop, _AUTH_RETRY)
            else:
                backoff = min(_BACKOFF_CAP, max(_BACKOFF_START, backoff * 2))
                await _wait(self.stop, backoff)
        await asyncio.wait([engine_task])  # every outcome is in the spool now
        while await self.send_one(http, link) in ("sent", "dead"):
            pass
        left = await asyncio.to_thread(len, self.spool)
        if left:
            self.log.info(
                "%s",
                bilingual(
                    f"{left} results stay in the spool for the next start",
                    f"{left} 条结果留在本地队列，下次启动时发送",
                ),
            )

    async def run(self) -> None:
        """Run until ``stop`` is set. On stop the engine finishes its running checks into
        the spool and the sender makes one last attempt to deliver; whatever is not
        delivered stays in the spool for the next start."""
        self.load_saved()
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        tasks: list[asyncio.Task[None]] = []
        try:
            async with aiohttp.ClientSession(timeout=timeout, trust_env=True) as http:
                engine_task = asyncio.create_task(self.engine.run(self.stop))
                tasks = [
                    engine_task,
                    asyncio.create_task(self.poll(http)),
                    asyncio.create_task(self.send(http, engine_task)),
                ]
                await asyncio.gather(*tasks)
        finally:
            for t in tasks:
                t.cancel()
            if tasks:
                await asyncio.gather(*tasks, return_exceptions=True)
            self.spool.close()


async def run_agent(
    *,
    server: str,
    token: str,
    region: str,
    spool_path: Path,
    stop: asyncio.Event,
    poll_seconds: float = 30,
    send_interval: float = 1.0,
    log: logging.Logger | None = None,
) -> None:
    """Run a remote probe until ``stop`` is set (see :meth:`Agent.run`)."""
    await Agent(
        server=server,
        token=token,
        region=region,
        spool_path=spool_path,
        stop=stop,
        poll_seconds=poll_seconds,
        send_interval=send_interval,
        log=log,
    ).run()
