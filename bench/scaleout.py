"""Scale-out and memory of `herald worker` processes, each against a gateway stand-in of its own process.

Scale-out: N workers (N = 1, 2, 4) at concurrency 8 against a stand-in answering after 20 ms; the rate
the stand-in receives with N workers must be at least 0.85·N times the rate of one, measured in the same
run. Memory: one worker sending a 100,000-message campaign and then a 1,000,000-message one; its peak
resident memory at 1M must stay within 1.2× its peak at 100k.

HERALD_BENCH_POSTGRES_URL=postgresql+psycopg://… python -m bench.scaleout scale [--workers 1 2 4]
python -m bench.scaleout memory [--messages 100000 1000000]

Runs on PostgreSQL when HERALD_BENCH_POSTGRES_URL names a server (the scale-out store), else on SQLite,
whose single writer is no place to scale out: it says so beside its figures.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from aiohttp import web

from bench.chaos import SECRET, _prepare
from bench.pacing import _database

LATENCY = 0.02
CONCURRENCY = 8
SCALE_TARGET = 0.85
MEMORY_TARGET = 1.2


def _serve(latency: float, ready: Any, stop: Any, out: Any) -> None:
    """A lean gateway: it answers each request after `latency`, noting when it came and nothing more (a
    stand-in that kept a million bodies would weigh more than the worker it measures)."""
    arrivals: list[float] = []

    async def handle(request: web.Request) -> web.Response:
        await request.read()
        if latency:
            await asyncio.sleep(latency)
        arrivals.append(time.monotonic())
        return web.json_response({"id": request.headers.get("webhook-id", "")})

    async def main() -> None:
        app = web.Application()
        app.router.add_post("/send", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        out.put(f"http://127.0.0.1:{port}/send")
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        await runner.cleanup()
        out.put(arrivals)

    asyncio.run(main())


class StandIn:
    def __init__(self, latency: float) -> None:
        context = multiprocessing.get_context("fork")
        self.ready, self.stop, self.out = context.Event(), context.Event(), context.Queue()
        self.process = context.Process(target=_serve, args=(latency, self.ready, self.stop, self.out), daemon=True)
        self.arrivals: list[float] = []

    def __enter__(self) -> str:
        self.process.start()
        self.ready.wait(30)
        return str(self.out.get(timeout=30))

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.arrivals = sorted(self.out.get(timeout=120))
        self.process.join(10)


def _resident(pid: int, field: str = "VmRSS") -> int:
    """A process's resident memory now (VmRSS) or its peak since it began its program (VmHWM), in KiB; 0
    once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith(f"{field}:")), 0)


def _watched(folder: Path, *options: str, every: float = 2.0) -> tuple[int, float, int, list[int]]:
    """One worker to the end: (exit status, seconds, its peak resident memory, its resident memory every
    `every` seconds — the curve shows when it grows), in KiB. The peak is the kernel's own (VmHWM) for the
    worker's program: the rusage of a child also counts the moment between fork and exec, when it still
    holds this process's memory (a million contacts just imported), which is not the worker's."""
    env = {**os.environ, "HERALD_CONFIG": str(folder / "herald.toml"), "CHAOS_SECRET": SECRET, "HERALD_ENV": "test"}
    command = [str(Path(sys.executable).with_name("herald")), "worker", "--until-idle", *options]
    started, peak = time.monotonic(), 0
    curve: list[int] = []
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    while True:
        pid, status, _ = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return process.returncode, time.monotonic() - started, peak, curve
        curve.append(_resident(process.pid))
        peak = max(peak, _resident(process.pid, "VmHWM"))
        time.sleep(every)


def _workers(folder: Path, count: int, *options: str) -> list[tuple[int, float, Any]]:
    """Start `count` workers that drain the queue and leave; (exit status, seconds, rusage) of each."""
    env = {**os.environ, "HERALD_CONFIG": str(folder / "herald.toml"), "CHAOS_SECRET": SECRET, "HERALD_ENV": "test"}
    command = [str(Path(sys.executable).with_name("herald")), "worker", "--until-idle", *options]
    started = time.monotonic()
    running = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(count)]
    done = []
    for process in running:
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        done.append((process.returncode, time.monotonic() - started, usage))
    return done


def _rate(arrivals: list[float]) -> float:
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0]) if len(arrivals) > 1 else 0.0


def scale(counts: list[int], per_worker: int) -> int:
    store = "PostgreSQL" if os.environ.get("HERALD_BENCH_POSTGRES_URL") else "SQLite (single writer)"
    rates: dict[int, float] = {}
    ok, cores = True, os.cpu_count() or 1
    for count in counts:
        with tempfile.TemporaryDirectory() as tmp:
            folder, planned = Path(tmp), per_worker * count
            stand_in = StandIn(LATENCY)
            with stand_in as url:
                _prepare(_database(f"scale{count}", folder), url, folder, planned)
                done = _workers(folder, count, "--concurrency", str(CONCURRENCY), "--batch-size", "100")
            cpu = sum(u.ru_utime + u.ru_stime for _, _, u in done) / max(planned, 1)  # a message, all workers
        rates[count] = _rate(stand_in.arrivals)
        ratio = rates[count] / (count * rates[min(rates)]) if count != min(rates) else 1.0
        # On a small machine the workers' own CPU can bind first: N workers cannot send faster than the cores
        # allow, whatever the design. That is reported as the machine's bound, not as the workers' fault.
        bound = cores / max(cpu, 1e-9)
        verdict = "OK" if ratio >= SCALE_TARGET else "at the cores' bound" if rates[count] >= 0.9 * bound else "short"
        ok = ok and verdict != "short" and len(stand_in.arrivals) == planned
        print(
            f"scale-out {store}: {count} worker(s) at concurrency {CONCURRENCY}, {LATENCY * 1000:g} ms stand-in: "
            f"{len(stand_in.arrivals):,}/{planned:,} delivered at {rates[count]:,.0f}/s = {ratio:.2f}× "
            f"{count} × one worker (target ≥ {SCALE_TARGET}: {verdict}); the workers' CPU {cpu * 1000:.2f} ms "
            f"a message: {cores} cores bound them at {bound:,.0f}/s before the database and the stand-in",
            flush=True,
        )
    return 0 if ok else 1


def memory(sizes: list[int]) -> int:
    store = "PostgreSQL" if os.environ.get("HERALD_BENCH_POSTGRES_URL") else "SQLite"
    peaks: dict[int, int] = {}
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            stand_in = StandIn(0.0)
            with stand_in as url:
                began = time.monotonic()
                _prepare(_database(f"memory{size}", folder), url, folder, size)
                prepared = time.monotonic() - began
                code, seconds, peak, curve = _watched(folder, "--batch-size", "500")
        peaks[size] = peak
        tenths = [curve[len(curve) * k // 10] // 1024 for k in range(10)] if curve else []
        print(
            f"worker memory {store}: {size:,} messages planned in {prepared:.0f} s, sent in {seconds:.0f} s "
            f"({len(stand_in.arrivals) / seconds:,.0f}/s, exit {code}); "
            f"peak resident {peak / 1024:,.0f} MiB; resident at each tenth of the run (MiB): {tenths}",
            flush=True,
        )
    small, large = peaks[min(peaks)], peaks[max(peaks)]
    ratio = large / small
    print(
        f"worker memory: peak at {max(peaks):,} is {ratio:.2f}× the peak at {min(peaks):,} "
        f"(target ≤ {MEMORY_TARGET}×: {'OK' if ratio <= MEMORY_TARGET else 'over'})",
        flush=True,
    )
    return 0 if ratio <= MEMORY_TARGET else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    jobs = parser.add_subparsers(dest="job", required=True)
    scaled = jobs.add_parser("scale", help="N workers against a 20 ms stand-in")
    scaled.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    scaled.add_argument("--messages", type=int, default=4000, help="messages per worker")
    measured = jobs.add_parser("memory", help="one worker's peak memory at two campaign sizes")
    measured.add_argument("--messages", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(4096, hard)), hard))
    return scale(args.workers, args.messages) if args.job == "scale" else memory(args.messages)


if __name__ == "__main__":
    sys.exit(main())
