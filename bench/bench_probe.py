"""Probe throughput: HTTP checks per second, a new connection per check, results stored,
against nginx on loopback; next to a bare aiohttp loop (nothing stored) and Prometheus's
blackbox_exporter at the same concurrency.

    python bench/bench_probe.py            # 10-s phases, 3 rounds, SQLite and PostgreSQL
    python bench/bench_probe.py --quick    # 3-s phases, one round, SQLite only
    python bench/bench_probe.py --profile  # also cProfile one engine phase (loop + sink)

Phases (each in fresh processes, a warm-up of ``--warmup`` s not counted, then ``--seconds``
measured; every loop bounded in time and in count), all run ``--rounds`` times in turn and
the median round reported:

- bare: one event loop of the kind the probe runs on (``run_event_loop``: uvloop where
  installed), the engine's own aiohttp session (``CheckContext.http_session``:
  ``TCPConnector(force_close=True, limit=0)``), ``--concurrency`` coroutines each doing
  GET → status → next; nothing stored. Once with one process, once with two.
- engine: ``probe.engine.Engine`` with ``max_in_flight=--concurrency`` and its real
  ``run_check``; ``--monitors`` HTTP monitors per process at ``--interval`` s (far more
  than it can do: the engine, not the schedule, is the limit); its sink is the one
  ``runner.run_local`` uses (``ingest.ingest`` in a process of its own,
  ``runner.IngestProcess``, when PROBE_INGEST_PROCESS is on, as by default; else in a
  thread), and once per database the same with ingest in a thread, into a throwaway
  database: SQLite in a temporary BAOZHANG_HOME, then PostgreSQL
  bench_probe_<pid> (dropped at the end). One process, then two (one per core, each with
  its own monitors). The rate counted is of results *stored* (committed by the sink);
  afterwards the rows in the database are checked against the checks done. The monitors
  are ``up`` beforehand (one result each ingested while preparing), so the phases see the
  steady state. Also, to show where the time goes, the engine with a sink that drops its
  results (one and two processes).
- blackbox_exporter 0.23 (Debian), module ``http_2xx``, driven by ``--concurrency``
  aiohttp coroutines over keep-alive connections calling
  ``/probe?module=http_2xx&target=<nginx>``; only ``probe_success 1`` answers count. Also
  driven by wrk (C, lighter than Python) at the same concurrency, to show the exporter's
  own limit; the better of the two is taken for the ratio.

Targets (issue 5 §7): engine ≥ 2,000 checks/s; engine ÷ bare ≥ 0.80; two engine processes
÷ blackbox_exporter ≥ 1.5. Needs nginx and prometheus-blackbox-exporter (exit 2 with the
apt-get line when one is missing); wrk is optional.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _monitoring_support as support

from baozhang.monitoring.shards import in_shard

CTX = mp.get_context("spawn")


# -- phases (each runs in a child process) ----------------------------------------------------


def _bare(url: str, conc: int, warmup: float, seconds: float, max_count: int) -> dict[str, Any]:
    from baozhang.monitoring.probe.checks import CheckContext
    from baozhang.monitoring.probe.engine import run_event_loop

    async def go() -> dict[str, Any]:
        counts = {"ok": 0, "bad": 0, "ok_in": 0}
        async with CheckContext() as ctx:  # the engine's own HTTP client settings
            session = ctx.http_session()
            t0 = time.monotonic()
            w0, w1 = t0 + warmup, t0 + warmup + seconds

            async def worker() -> None:
                while True:
                    now = time.monotonic()
                    if now >= w1 or counts["ok"] + counts["bad"] >= max_count:
                        return
                    try:
                        async with asyncio.timeout(5):
                            async with session.get(url) as resp:
                                good = resp.status == 200
                    except Exception:
                        good = False
                    if good:
                        counts["ok"] += 1
                        if w0 <= time.monotonic() < w1:
                            counts["ok_in"] += 1
                    else:
                        counts["bad"] += 1

            cpu0 = None

            async def cpu_mark() -> None:
                nonlocal cpu0
                await asyncio.sleep(max(0.0, w0 - time.monotonic()))
                cpu0 = time.process_time()

            marker = asyncio.create_task(cpu_mark())
            await asyncio.gather(*(worker() for _ in range(conc)))
            await marker
            cpu = time.process_time() - (cpu0 or 0.0)
        return {
            "done": counts["ok_in"],
            "rate": counts["ok_in"] / seconds,
            "errors": counts["bad"],
            "cpu": cpu / seconds,
        }

    return run_event_loop(go())  # the probe's loop: uvloop where installed


def _engine(
    env: dict[str, str],
    ids: list[int],
    url: str,
    conc: int,
    interval: float,
    warmup: float,
    seconds: float,
    profile: bool,
    sink_kind: str,
    ready: Any,
    go_event: Any,
) -> dict[str, Any]:
    os.environ.update(env)
    if "DATABASE_URL" not in env:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.conf import settings

    from baozhang.monitoring import runner
    from baozhang.monitoring.catalog import monitor_spec_dict
    from baozhang.monitoring.ingest import store_batch as _store  # the server's sink
    from baozhang.monitoring.models import Monitor, ProbeResult
    from baozhang.monitoring.probe.engine import Engine, run_event_loop
    from baozhang.monitoring.probe.specs import MonitorSpec

    specs = [
        MonitorSpec.from_dict({**monitor_spec_dict(m), "interval": interval})
        for m in Monitor.objects.filter(id__in=ids)
    ]
    from django.db import connection

    connection.close()
    stats = {"stored": 0, "ok": 0, "sink_s": 0.0, "batches": 0}
    sink_profile = None
    if profile:
        import cProfile

        sink_profile = cProfile.Profile()

    def store(batch: list[Any]) -> None:
        if sink_profile is not None:
            sink_profile.enable()
        try:
            _store(batch)
        finally:
            if sink_profile is not None:
                sink_profile.disable()

    if sink_kind == "server":  # as runner.run_local chooses
        own = getattr(settings, "PROBE_INGEST_PROCESS", False) and hasattr(runner, "IngestProcess")
        sink_kind = "process" if own and not profile else "thread"
    writer = runner.IngestProcess() if sink_kind == "process" else None
    if writer is not None:
        asyncio.run(writer.store([]))  # start the ingest process now, not in the warm-up

    async def sink(batch: list[Any]) -> None:
        t0 = time.perf_counter()
        if writer is not None:
            await writer.store(batch)
        elif sink_kind == "thread":
            await asyncio.to_thread(store, batch)
        stats["sink_s"] += time.perf_counter() - t0
        stats["stored"] += len(batch)
        stats["ok"] += sum(1 for o in batch if o.ok)
        stats["batches"] += 1

    engine = Engine("local", sink, max_in_flight=conc)
    engine.set_monitors(specs)

    async def main() -> dict[str, Any]:
        stop = asyncio.Event()
        runner = asyncio.create_task(engine.run(stop))
        await asyncio.sleep(warmup)
        a = (engine.checks_done, stats["stored"], stats["ok"], stats["sink_s"])
        cpu0, t0 = time.process_time(), time.monotonic()
        await asyncio.sleep(seconds)
        b = (engine.checks_done, stats["stored"], stats["ok"], stats["sink_s"])
        cpu, span = time.process_time() - cpu0, time.monotonic() - t0
        pending = engine.pending
        drift = [engine.drift_percentile(q) for q in (0.5, 0.99)]
        stop.set()
        await asyncio.wait_for(runner, timeout=120)
        return {
            "done": b[0] - a[0],
            "stored": b[1] - a[1],
            "ok": b[2] - a[2],
            "sink_s": b[3] - a[3],
            "span": span,
            "cpu": cpu / span,
            "pending_at_end": pending,
            "drift_p50": drift[0],
            "drift_p99": drift[1],
        }

    rows_before = ProbeResult.objects.filter(monitor_id__in=ids).count()
    connection.close()
    ready.put(os.getpid())
    go_event.wait(120)
    loop_profile = None
    if profile:
        import cProfile

        loop_profile = cProfile.Profile()
        loop_profile.enable()
    try:
        result = run_event_loop(main())
    finally:
        if writer is not None:
            writer.close()
    if loop_profile is not None:
        loop_profile.disable()
    result.update(
        {
            "rate": result["stored"] / result["span"],
            "done_rate": result["done"] / result["span"],
            "checks_done_total": engine.checks_done,
            "skipped": engine.checks_skipped,
            "sink_failures": engine.sink_failures,
            "rows": ProbeResult.objects.filter(monitor_id__in=ids).count() - rows_before,
            "monitors": len(specs),
            "sink": sink_kind,
        }
    )
    connection.close()
    if profile:
        import io
        import pstats

        for label, prof in (("event loop thread", loop_profile), ("sink thread", sink_profile)):
            buf = io.StringIO()
            try:
                pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(18)
            except TypeError:  # a sink that never ran (results dropped) recorded nothing
                buf.write("nothing recorded\n")
            result[f"profile {label}"] = buf.getvalue()
    return result


def _blackbox(
    bb: str, target: str, conc: int, warmup: float, seconds: float, max_count: int
) -> dict[str, Any]:
    import aiohttp

    probe = f"{bb}/probe?module=http_2xx&target={target}"

    async def go() -> dict[str, Any]:
        counts = {"ok": 0, "bad": 0, "ok_in": 0}
        connector = aiohttp.TCPConnector(limit=conc)  # keep-alive, as Prometheus scrapes
        async with aiohttp.ClientSession(connector=connector) as session:
            t0 = time.monotonic()
            w0, w1 = t0 + warmup, t0 + warmup + seconds

            async def worker() -> None:
                while True:
                    if time.monotonic() >= w1 or counts["ok"] + counts["bad"] >= max_count:
                        return
                    try:
                        async with asyncio.timeout(10):
                            async with session.get(probe) as resp:
                                body = await resp.read()
                        good = resp.status == 200 and b"\nprobe_success 1" in body
                    except Exception:
                        good = False
                    if good:
                        counts["ok"] += 1
                        if w0 <= time.monotonic() < w1:
                            counts["ok_in"] += 1
                    else:
                        counts["bad"] += 1

            await asyncio.gather(*(worker() for _ in range(conc)))
        return {"done": counts["ok_in"], "rate": counts["ok_in"] / seconds, "errors": counts["bad"]}

    return asyncio.run(go())


WRK_LUA = """\
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) ok = 0; bad = 0 end
function response(status, headers, body)
    if status == 200 and string.find(body, "\\nprobe_success 1", 1, true) then
        ok = ok + 1
    else
        bad = bad + 1
    end
end
function done(summary, latency, requests)
    local o, b = 0, 0
    for _, t in ipairs(threads) do o = o + t:get("ok"); b = b + t:get("bad") end
    io.write(string.format("BENCH ok=%d bad=%d\\n", o, b))
end
"""


def _blackbox_wrk(wrk: str, bb: str, target: str, conc: int, seconds: float) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="bz-bench-wrk-"))
    try:
        script = work / "probe.lua"
        script.write_text(WRK_LUA)
        url = f"{bb}/probe?module=http_2xx&target={target}"
        out = subprocess.run(
            [
                wrk,
                "-t2",
                f"-c{conc}",
                f"-d{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
            check=True,
        ).stdout
    finally:
        shutil.rmtree(work, ignore_errors=True)
    m = re.search(r"BENCH ok=(\d+) bad=(\d+)", out)
    secs = re.search(r"requests in ([\d.]+)(m?s)", out)
    span = float(secs.group(1)) / (1000 if secs.group(2) == "ms" else 1) if secs else seconds
    ok, bad = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    return {"done": ok, "rate": ok / span, "errors": bad}


def _child(fn_name: str, args: tuple[Any, ...], out: Any) -> None:
    try:
        out.put(("ok", globals()[fn_name](*args)))
    except BaseException as exc:  # report, never hang the parent
        import traceback

        out.put(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def run_children(jobs: list[tuple[str, tuple[Any, ...]]], timeout: float) -> list[dict[str, Any]]:
    """Run each job in its own spawned process, together; their results in order."""
    outs = [CTX.Queue() for _ in jobs]
    procs = [
        CTX.Process(target=_child, args=(fn, args, q))
        for (fn, args), q in zip(jobs, outs, strict=True)
    ]
    for p in procs:
        p.start()
    results: list[dict[str, Any]] = []
    try:
        deadline = time.monotonic() + timeout
        for q in outs:
            try:
                status, value = q.get(timeout=max(1.0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError(f"a phase took more than {timeout:.0f} s") from None
            if status != "ok":
                raise RuntimeError(value)
            results.append(value)
    finally:
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
                p.join(5)
    return results


def run_engines(
    env: dict[str, str],
    id_sets: list[list[int]],
    url: str,
    args: argparse.Namespace,
    profile: bool = False,
    sink_kind: str = "server",
) -> list[dict[str, Any]]:
    """Engine processes, one per id set, started together once all are ready."""
    ready, go_event = CTX.Queue(), CTX.Event()
    outs = [CTX.Queue() for _ in id_sets]
    procs = [
        CTX.Process(
            target=_child,
            args=(
                "_engine",
                (
                    env,
                    ids,
                    url,
                    args.concurrency,
                    args.interval,
                    args.warmup,
                    args.seconds,
                    profile,
                    sink_kind,
                    ready,
                    go_event,
                ),
                q,
            ),
        )
        for ids, q in zip(id_sets, outs, strict=True)
    ]
    for p in procs:
        p.start()
    results: list[dict[str, Any]] = []
    try:
        for _ in procs:
            ready.get(timeout=180)
        go_event.set()
        for q in outs:
            status, value = q.get(timeout=args.warmup + args.seconds + 300)
            if status != "ok":
                raise RuntimeError(value)
            results.append(value)
    finally:
        go_event.set()
        for p in procs:
            p.join(10)
            if p.is_alive():
                p.kill()
                p.join(5)
    return results


def prepare_database(env: dict[str, str], url: str, total: int) -> list[int]:
    """Migrate, then ``total`` HTTP monitors of ``url``, each with one successful check
    ingested (so that they are ``up`` and the measured phases see the steady state, not
    the first transition of every monitor); their ids."""
    support.migrate_in_subprocess(env)
    code = (
        "import django, json, sys, datetime as dt; django.setup()\n"
        "from baozhang.monitoring.models import Monitor\n"
        "from baozhang.monitoring.ingest import ingest\n"
        "from baozhang.monitoring.probe.specs import Outcome\n"
        f"Monitor.objects.bulk_create([Monitor(name=f'bench http {{i:05d}}', kind='http', "
        f"target={url!r}, interval_s=1, timeout_s=5) for i in range({total})], batch_size=1000)\n"
        "ids = list(Monitor.objects.order_by('id').values_list('id', flat=True))\n"
        "now = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)\n"
        "for i in range(0, len(ids), 500):\n"
        "    ingest([Outcome(m, 'local', now, True, 1.0, '', now) for m in ids[i:i + 500]])\n"
        "print(json.dumps(ids))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=support.REPO, capture_output=True, text=True
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    import json

    return list(json.loads(out.stdout.strip().splitlines()[-1]))


# -- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="measured seconds per phase")
    parser.add_argument("--warmup", type=float, default=3, help="seconds before measuring")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every phase (median)")
    parser.add_argument("--concurrency", type=int, default=512, help="checks in flight")
    parser.add_argument("--monitors", type=int, default=3000, help="monitors per engine")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between checks")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--profile", action="store_true", help="cProfile one engine phase")
    parser.add_argument("--quick", action="store_true", help="3-s phases, one round, SQLite")
    parser.add_argument(
        "--phases",
        default="",
        help="comma-separated phase keys to run (e.g. bare1,postgresql1); default: all",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.warmup, args.monitors, args.no_postgres = 3, 2, 1500, True
        args.rounds = 1
    tools = support.require_tools("nginx", "prometheus-blackbox-exporter")
    wrk = shutil.which("wrk")
    run_started = time.monotonic()
    max_count = int(args.seconds + args.warmup) * 50_000  # far above any rate here
    pg_version = None if args.no_postgres else support.postgres_version()
    print(
        support.machine(f"PostgreSQL {pg_version} on {support.HOST}" if pg_version else ""),
        flush=True,
    )
    print(
        f"HTTP GET to nginx on loopback, a new connection per check, {args.concurrency} in "
        f"flight; {args.warmup:g} s warm-up, {args.seconds:g} s measured per phase, "
        f"{args.rounds} round(s) of all phases (median shown); engine: {args.monitors:,} "
        f"monitors per process at {args.interval:g} s (offered "
        f"{args.monitors / args.interval:,.0f} checks/s per process)",
        flush=True,
    )
    homes: list[str] = []
    pg_name = f"bench_probe_{os.getpid()}"
    summary: dict[str, Any] = {}
    phase_timeout = args.warmup + args.seconds + 300
    # label → per round, the results of each process of the phase
    runs: dict[str, list[list[dict[str, Any]]]] = {}
    labels: dict[str, str] = {}

    try:
        with (
            support.nginx(tools["nginx"]) as url,
            support.blackbox_exporter(tools["prometheus-blackbox-exporter"]) as bb,
        ):
            bare_args = (url, args.concurrency, args.warmup, args.seconds, max_count)
            bb_args = (bb, url, args.concurrency, args.warmup, args.seconds, max_count)
            phases: list[tuple[str, str, Any]] = [
                (
                    "bare1",
                    "bare aiohttp loop, 1 process (baseline)",
                    lambda: run_children([("_bare", bare_args)], phase_timeout),
                ),
                (
                    "bare2",
                    "bare aiohttp loop, 2 processes (baseline)",
                    lambda: run_children([("_bare", bare_args)] * 2, phase_timeout),
                ),
            ]
            databases = [("sqlite", None)]
            if pg_version:
                databases.append(("postgresql", pg_name))
            envs: dict[str, tuple[dict[str, str], list[list[int]]]] = {}
            for db, name in databases:
                home = tempfile.mkdtemp(prefix="bz-bench-probe-")
                homes.append(home)
                db_url = support.create_postgres(name) if name else None
                env = support.django_env(home, db_url)
                ids = prepare_database(env, url, 2 * args.monitors)
                # Two processes share the monitors as `baozhang probe --processes 2` does.
                shards = [[m for m in ids if in_shard(m, (i, 2))] for i in range(2)]
                envs[db] = (env, shards)

            def engines(db: str, n: int, sink_kind: str = "server") -> Any:
                env, halves = envs[db]
                return lambda: run_engines(env, halves[:n], url, args, sink_kind=sink_kind)

            phases += [
                ("drop1", "engine, results dropped, 1 process", engines("sqlite", 1, "drop")),
                ("drop2", "engine, results dropped, 2 processes", engines("sqlite", 2, "drop")),
            ]
            for db, _name in databases:
                phases += [
                    (f"{db}1", f"engine → {db}, 1 process", engines(db, 1)),
                    (f"{db}2", f"engine → {db}, 2 processes", engines(db, 2)),
                    (
                        f"{db}1t",
                        f"engine → {db}, 1 process, ingest in a thread",
                        engines(db, 1, "thread"),
                    ),
                ]
            phases.append(
                (
                    "bb_aiohttp",
                    "blackbox_exporter, driven by aiohttp",
                    lambda: run_children([("_blackbox", bb_args)], phase_timeout),
                )
            )
            if wrk:
                phases.append(
                    (
                        "bb_wrk",
                        "blackbox_exporter, driven by wrk -t2",
                        lambda: [_blackbox_wrk(wrk, bb, url, args.concurrency, args.seconds)],
                    )
                )
            if args.phases:
                wanted = set(args.phases.split(","))
                phases = [p for p in phases if p[0] in wanted]
            for rnd in range(args.rounds):
                for key, label, fn in phases:
                    results = fn()
                    runs.setdefault(key, []).append(results)
                    labels[key] = label
                    rate = sum(r["rate"] for r in results)
                    print(f"  round {rnd + 1}: {label:<44} {rate:>7,.0f}/s", flush=True)
            if args.profile:
                env, halves = envs["sqlite"]
                prof = run_engines(env, halves[:1], url, args, profile=True)[0]
                print(
                    f"\nprofile (engine → sqlite, 1 process, {prof['rate']:,.0f}/s under cProfile):"
                )
                for key in ("profile event loop thread", "profile sink thread"):
                    print(f"  -- {key}")
                    print("\n".join("    " + ln for ln in prof[key].splitlines()[:40]))
    finally:
        for home in homes:
            shutil.rmtree(home, ignore_errors=True)
        if pg_version:
            support.drop_postgres(pg_name)

    def rate_of(results: list[dict[str, Any]]) -> float:
        return sum(r["rate"] for r in results)

    def round_ratio(key: str, bases: tuple[str, ...]) -> float | None:
        """The median over rounds of ``key`` ÷ its baseline *in the same round* (the
        better of ``bases``): the machine's speed drifts between rounds, ratios less."""
        if key not in runs or not all(b in runs for b in bases):
            return None
        ratios = []
        for rnd, results in enumerate(runs[key]):
            base = max(rate_of(runs[b][rnd]) for b in bases)
            if base:
                ratios.append(rate_of(results) / base)
        return sorted(ratios)[len(ratios) // 2] if ratios else None

    print(f"\n  {'phase':<44} {'checks/s':>9} {'range':>13} {'× bare':>7}  details (median round)")
    for key, rounds_ in runs.items():
        ordered = sorted(rounds_, key=rate_of)
        med = ordered[len(ordered) // 2]
        rate = rate_of(med)
        summary[key] = rate
        summary[f"{key}_rounds"] = [round(rate_of(r)) for r in rounds_]
        same_round = round_ratio(key, ("bare2" if key.endswith("2") else "bare1",))
        times = f"{same_round:.2f}" if same_round and not key.startswith("bb") else ""
        extra = ""
        if "checks_done_total" in med[0]:
            done = sum(r["done_rate"] for r in med)
            bad = sum(r["stored"] - r["ok"] for r in med)
            sink = sum(r["sink_s"] for r in med) / sum(r["span"] for r in med)
            cpu = "+".join(f"{r['cpu']:.2f}" for r in med)
            drift = max(r["drift_p99"] or 0 for r in med)
            extra = f"done {done:,.0f}/s, failed {bad}, cpu {cpu}, drift p99 {drift:.1f} s"
            if not key.startswith("drop"):
                lost = sum(r["checks_done_total"] - r["rows"] for rr in rounds_ for r in rr)
                extra += f", sink ({med[0]['sink']}) busy {sink:.0%}, not stored {lost}"
        elif "cpu" in med[0]:
            extra = f"cpu {med[0]['cpu']:.2f}"
        if "errors" in med[0]:
            extra += f"{', ' if extra else ''}errors {sum(r['errors'] for r in med)}"
        lo, hi = rate_of(ordered[0]), rate_of(ordered[-1])
        print(f"  {labels[key]:<44} {rate:>9,.0f} {f'{lo:,.0f}–{hi:,.0f}':>13} {times:>7}  {extra}")
    summary["blackbox"] = max(summary.get("bb_aiohttp", 0.0), summary.get("bb_wrk", 0.0))

    print(
        "\nratios and targets (each the median over rounds of the ratio within a round; "
        "blackbox_exporter: the better of its two drivers in that round):"
    )
    exporter = tuple(k for k in ("bb_aiohttp", "bb_wrk") if k in runs)

    def shown(value: float | None, target: float) -> str:
        if value is None:
            return "not run"
        verdict = f"≥ {target:g} met" if value >= target else f"target {target:g} MISSED"
        return f"{value:.2f} ({verdict})"

    e, e2 = summary.get("drop1"), summary.get("drop2")
    if e is not None or e2 is not None:
        print(
            f"  engine, results dropped: ÷ bare {shown(round_ratio('drop1', ('bare1',)), 0.8)}; "
            f"2 processes ÷ blackbox_exporter {shown(round_ratio('drop2', exporter), 1.5)}"
        )
    for db in ("sqlite", "postgresql"):
        e1, e2 = summary.get(f"{db}1"), summary.get(f"{db}2")
        if e1 is None and e2 is None:
            continue
        r1, r2 = round_ratio(f"{db}1", ("bare1",)), round_ratio(f"{db}2", exporter)
        summary[f"ratio_{db}_bare"], summary[f"ratio_{db}_blackbox"] = r1, r2
        rate = "not run" if e1 is None else f"{e1:,.0f}/s"
        if e1 is not None:
            rate += " (≥ 2,000 met)" if e1 >= 2000 else " (target 2,000 MISSED)"
        print(
            f"  engine → {db}: {rate}; ÷ bare {shown(r1, 0.8)}; "
            f"2 processes ÷ blackbox_exporter {shown(r2, 1.5)}"
        )
    support.json_line(
        "probe",
        {
            "seconds": args.seconds,
            "rounds": args.rounds,
            "concurrency": args.concurrency,
            "monitors": args.monitors,
            "interval": args.interval,
            **summary,
        },
    )
    print(f"total {time.monotonic() - run_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
