"""Push heartbeats: pings per second through ``/ping/<token>`` of ``baozhang web --workers 2``
on PostgreSQL, against a trivial Django page through the same server, and a check that
every acknowledged ping is stored.

    python bench/bench_heartbeat.py            # wrk -t2 -c64 -d10s, 100 tokens, 3 rounds
    python bench/bench_heartbeat.py --quick    # -d2s, one round

Steps, on a fresh PostgreSQL database bench_heartbeat_<pid> (dropped at the end):

1. ``migrate``; ``--tokens`` push monitors with known tokens (ORM);
2. ``baozhang web --workers 2`` (uvicorn, two processes) on 127.0.0.1:<free port>;
3. warm-up, then ``--rounds`` times: wrk (``-t2 -c64 -d10s --latency``) against
   ``GET /accounts/login/`` (the baseline: Django's full stack for an anonymous page, no
   database query) and then against ``GET /ping/<token>`` with a Lua script rotating the
   tokens; the script counts 200 answers (an answer is 200 only once its group of pings
   is committed); the median round is reported;
4. durability: the ``push`` ProbeResult rows written during each ping run must be at
   least the 200 answers wrk counted (exit 1 otherwise).

Needs wrk (exit 2 with the apt-get line when it is missing). Skips (exit 0) when
PostgreSQL does not answer. Loopback only; the server is stopped in any case.
"""

from __future__ import annotations

import argparse
import os
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

LUA = """\
-- Rotates the heartbeat tokens (or requests one path) and counts answers by status.
local tokens = {%(tokens)s}
local path = "%(path)s"
local threads = {}
local counter = 0

function setup(thread)
    thread:set("id", counter)
    counter = counter + 1
    table.insert(threads, thread)
end

function init(args)
    ok = 0
    other = 0
    i = id * 37
end

function request()
    if path ~= "" then
        return wrk.format("GET", path)
    end
    i = i + 1
    return wrk.format("GET", "/ping/" .. tokens[(i %% #tokens) + 1])
end

function response(status, headers, body)
    if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
    local o, b = 0, 0
    for _, t in ipairs(threads) do
        o = o + t:get("ok")
        b = b + t:get("other")
    end
    io.write(string.format("BENCH ok=%%d other=%%d\\n", o, b))
end
"""


def wrk(
    binary: str,
    url: str,
    script: Path,
    threads: int,
    conns: int,
    seconds: float,
) -> dict[str, Any]:
    """One wrk run (bounded by -d and a hard timeout); its figures parsed."""
    cmd = [
        binary,
        f"-t{threads}",
        f"-c{conns}",
        f"-d{seconds:g}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(script),
        url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=True)
    text = out.stdout
    m = re.search(r"(\d+) requests in ([\d.]+)(m?s)", text)
    if not m:
        raise RuntimeError(f"cannot read wrk's output:\n{text}\n{out.stderr}")
    secs = float(m.group(2)) / (1000 if m.group(3) == "ms" else 1)
    counts = re.search(r"BENCH ok=(\d+) other=(\d+)", text)
    ok, other = (int(counts.group(1)), int(counts.group(2))) if counts else (0, 0)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )

    def lat(p: str) -> float:
        mm = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not mm:
            return 0.0
        return float(mm.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[mm.group(2)]

    return {
        "requests": int(m.group(1)),
        "seconds": secs,
        "ok": ok,
        "other": other,
        "rate": ok / secs if secs else 0.0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "p50_ms": lat("50"),
        "p99_ms": lat("99"),
        "raw": text,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk -d")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t")
    parser.add_argument("--connections", type=int, default=64, help="wrk -c")
    parser.add_argument("--workers", type=int, default=2, help="baozhang web --workers")
    parser.add_argument("--tokens", type=int, default=100, help="push monitors pinged")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (median reported)")
    parser.add_argument("--quick", action="store_true", help="one round of 2-second runs")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds = 2, 1
    tools = support.require_tools("wrk")
    run_started = time.monotonic()
    version = support.postgres_version()
    if version is None:
        print("skipped: this benchmark needs PostgreSQL")
        return 0
    name = f"bench_heartbeat_{os.getpid()}"
    home = tempfile.mkdtemp(prefix="bz-bench-heartbeat-")
    work = Path(home)
    server = None
    out: dict[str, Any] = {}
    code = 0
    try:
        url = support.create_postgres(name)
        support.setup_django(home, url)
        from django.db import connection

        from baozhang.monitoring.models import Monitor, ProbeResult

        print(support.machine(f"PostgreSQL {version} on {support.HOST}"), flush=True)
        tokens = [f"bench-{os.getpid()}-{i:04d}-{'x' * 20}" for i in range(args.tokens)]
        Monitor.objects.bulk_create(
            [
                Monitor(
                    name=f"bench push {i:04d}",
                    kind="push",
                    push_token=t,
                    push_period_s=60,
                    push_grace_s=60,
                )
                for i, t in enumerate(tokens)
            ]
        )
        connection.close()
        port = support.free_port()
        log = work / "web.log"
        with log.open("ab") as f:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "baozhang",
                    "web",
                    "--workers",
                    str(args.workers),
                    "--host",
                    support.HOST,
                    "--port",
                    str(port),
                ],
                env=support.django_env(home, url),
                cwd=support.REPO,
                stdout=f,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        support.wait_port(port, server, 60, log)
        base = f"http://{support.HOST}:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until Django answers (both workers up)
            try:
                if support.http_get(base + "/accounts/login/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        quoted = ", ".join(f'"{t}"' for t in tokens)
        ping_lua = work / "ping.lua"
        ping_lua.write_text(LUA % {"tokens": quoted, "path": ""})
        page_lua = work / "page.lua"
        page_lua.write_text(LUA % {"tokens": quoted, "path": "/accounts/login/"})
        w = (tools["wrk"], base + "/", args.threads, args.connections)
        # Warm-up of both paths (imports, templates, connections, token cache); not counted.
        wrk(w[0], w[1], page_lua, w[2], w[3], 2)
        wrk(w[0], w[1], ping_lua, w[2], w[3], 2)
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds:g}s against "
            f"baozhang web --workers {args.workers} (uvicorn), {args.tokens} tokens rotated; "
            f"{args.rounds} round(s) of (page, pings), median shown",
            flush=True,
        )
        pages: list[dict[str, Any]] = []
        rounds: list[dict[str, Any]] = []
        for i in range(args.rounds):
            page = wrk(w[0], w[1], page_lua, w[2], w[3], args.seconds)
            before = ProbeResult.objects.filter(region="push").count()
            connection.close()
            pings = wrk(w[0], w[1], ping_lua, w[2], w[3], args.seconds)
            time.sleep(0.5)  # let a group in flight at wrk's end commit (only adds rows)
            pings["stored"] = ProbeResult.objects.filter(region="push").count() - before
            connection.close()
            pages.append(page)
            rounds.append(pings)
            print(
                f"  round {i + 1}: page {page['rate']:,.0f}/s, pings {pings['rate']:,.0f}/s "
                f"({pings['stored']:,} stored for {pings['ok']:,} answered 200)",
                flush=True,
            )
        page = sorted(pages, key=lambda r: r["rate"])[len(pages) // 2]
        pings = sorted(rounds, key=lambda r: r["rate"])[len(rounds) // 2]
        print(
            f"\n  {'median round':<34} {'200s':>8} {'other':>6} {'sock err':>8} {'per s':>8} "
            f"{'p50 ms':>7} {'p99 ms':>7} {'× page':>7}"
        )
        for label, r in (
            ("GET /accounts/login/ (baseline)", page),
            ("GET /ping/<token> (heartbeat)", pings),
        ):
            print(
                f"  {label:<34} {r['ok']:>8,} {r['other']:>6,} {r['socket_errors']:>8,} "
                f"{r['rate']:>8,.0f} {r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} "
                f"{r['rate'] / page['rate'] if page['rate'] else 0:>7.1f}",
                flush=True,
            )
        stored = sum(r["stored"] for r in rounds)
        acked = sum(r["ok"] for r in rounds)
        durable = all(r["stored"] >= r["ok"] for r in rounds)
        print(
            f"  durability: {stored:,} push rows stored during the ping runs for {acked:,} "
            f"200 answers: {'every acknowledged ping stored' if durable else 'PINGS LOST'}"
        )
        low, high = min(r["rate"] for r in rounds), max(r["rate"] for r in rounds)
        target = pings["rate"] >= 5000
        print(
            f"  pings/s {pings['rate']:,.0f} (rounds {low:,.0f}–{high:,.0f}): "
            f"{'target ≥ 5,000/s met' if target else 'TARGET ≥ 5,000/s MISSED'}"
        )
        out = {
            "postgres": version,
            "workers": args.workers,
            "wrk": f"-t{args.threads} -c{args.connections} -d{args.seconds:g}s",
            "page": {k: v for k, v in page.items() if k != "raw"},
            "pings": {k: v for k, v in pings.items() if k != "raw"},
            "ping_rounds": [round(r["rate"]) for r in rounds],
            "page_rounds": [round(r["rate"]) for r in pages],
            "stored": stored,
            "acknowledged": acked,
            "durable": durable,
            "ratio": pings["rate"] / page["rate"] if page["rate"] else None,
        }
        code = 0 if durable else 1
    finally:
        support.stop(server)
        from django.db import connections

        connections.close_all()
        support.drop_postgres(name)
        shutil.rmtree(home, ignore_errors=True)
    support.json_line("heartbeat", out)
    print(f"total {time.monotonic() - run_started:.0f} s")
    return code


if __name__ == "__main__":
    sys.exit(main())
