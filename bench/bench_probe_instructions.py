"""Instructions per HTTP check, counted by valgrind's callgrind: the engine (results
dropped) next to the bare loop, on the probe's event loop (uvloop) and on asyncio's own.

    python bench/bench_probe_instructions.py          # 1,300 and 3,300 checks per count
    python bench/bench_probe_instructions.py --quick  # 300 and 800

Instruction counts do not depend on what else the machine is doing, so they show an
engine change that the throughput benchmark's noise (±15–30 % between rounds on a shared
machine) would hide. Each figure is (count with N2 checks − count with N1) ÷ (N2 − N1
checks), so start-up costs cancel. The run is slow: callgrind executes about 50 times
slower. Needs nginx and valgrind (exit 2 with the apt-get line when one is missing).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _monitoring_support as support

CONCURRENCY = 64


async def _bare(url: str, n: int) -> int:
    from baozhang.monitoring.probe.checks import CheckContext

    left = n
    async with CheckContext() as ctx:  # the engine's own HTTP client settings
        session = ctx.http_session()

        async def worker() -> None:
            nonlocal left
            while left > 0:
                left -= 1
                async with asyncio.timeout(5), session.get(url) as resp:
                    if resp.status != 200:
                        raise RuntimeError(f"status {resp.status}")

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return n


async def _engine(url: str, n: int) -> int:
    from baozhang.monitoring.probe.engine import Engine
    from baozhang.monitoring.probe.specs import MonitorSpec

    async def drop(batch: list[object]) -> None:
        return None

    engine = Engine("local", drop, max_in_flight=CONCURRENCY, flush_interval=1000)
    engine.set_monitors(
        MonitorSpec(id=i, kind="http", target=url, interval=0.01, timeout=5) for i in range(1, 201)
    )
    stop = asyncio.Event()
    task = asyncio.create_task(engine.run(stop))
    for _ in range(100_000):  # bounded: about 1,000 s under callgrind
        if engine.checks_started >= n:
            break
        await asyncio.sleep(0.01)
    engine.set_monitors([])  # start nothing more; the running ones finish
    stop.set()
    await task
    if engine.checks_done < n:
        raise RuntimeError(f"only {engine.checks_done} checks done")
    return engine.checks_done


def child(kind: str, loop: str, url: str, n: int) -> None:
    """Run ``n`` checks; print how many were done (the engine may start a few more)."""
    main = (_bare if kind == "bare" else _engine)(url, n)
    if loop == "uvloop":
        import uvloop

        done = uvloop.run(main)
    else:
        done = asyncio.run(main)
    print(f"DONE {done}", flush=True)


def count(kind: str, loop: str, url: str, n: int, valgrind: str) -> tuple[int, int]:
    """(instructions, checks done) of one run under callgrind."""
    out = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            "--child",
            kind,
            loop,
            url,
            str(n),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=support.REPO,
    )
    ir = re.search(r"Collected : (\d+)", out.stderr)
    done = re.search(r"DONE (\d+)", out.stdout)
    if out.returncode or not ir or not done:
        raise RuntimeError(f"{kind}/{loop} failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return int(ir.group(1)), int(done.group(1))


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.path.insert(0, str(support.REPO))
        child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n1", type=int, default=1300)
    parser.add_argument("--n2", type=int, default=3300)
    parser.add_argument("--quick", action="store_true", help="300 and 800 checks")
    args = parser.parse_args()
    if args.quick:
        args.n1, args.n2 = 300, 800
    tools = support.require_tools("nginx", "valgrind")
    print(support.machine(), flush=True)
    print(
        f"HTTP GET to nginx on loopback, a new connection per check, {CONCURRENCY} in flight; "
        f"instructions per check = (count at {args.n2:,} − count at {args.n1:,}) ÷ checks",
        flush=True,
    )
    figures: dict[str, float] = {}
    with support.nginx(tools["nginx"]) as url:
        for loop in ("uvloop", "asyncio"):
            for kind in ("bare", "engine"):
                ir1, done1 = count(kind, loop, url, args.n1, tools["valgrind"])
                ir2, done2 = count(kind, loop, url, args.n2, tools["valgrind"])
                per = (ir2 - ir1) / (done2 - done1)
                figures[f"{kind}_{loop}"] = per
                print(f"  {kind:<7} on {loop:<8} {per / 1000:8,.1f} k instructions/check")
    for loop in ("uvloop", "asyncio"):
        ratio = figures[f"bare_{loop}"] / figures[f"engine_{loop}"]
        print(f"  {loop}: engine ÷ bare, in checks per instruction: {ratio:.3f}")
    print(
        f"  uvloop ÷ asyncio, engine: {figures['engine_asyncio'] / figures['engine_uvloop']:.2f}×"
    )
    support.json_line("probe_instructions", {k: round(v) for k, v in figures.items()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
