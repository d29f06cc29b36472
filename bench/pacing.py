"""Pacing accuracy: four `herald worker` processes share one account's rate through the database. The
gateway stand-in (a process of its own) notes when each request arrives; every full 10-second window must
hold the rate's count within ±3 %.

HERALD_BENCH_POSTGRES_URL=postgresql+psycopg://… python -m bench.pacing [--rates 1 80 225] [--seconds 40]

Run on PostgreSQL when HERALD_BENCH_POSTGRES_URL names a server (the scale-out store), else on SQLite.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import postgres
from bench.chaos import SECRET, _prepare
from herald.sandbox.gateway import FakeGateway, running

SCHEMA = "bench_pacing"
WORKERS = 4
WINDOW = 10.0
TOLERANCE = 0.03


class Timed(FakeGateway):
    """The gateway stand-in, noting when each message arrived."""

    arrivals: list[float]

    async def handle(self, request: Any) -> Any:
        answer = await super().handle(request)
        self.arrivals.append(time.time())
        return answer


def _serve(ready: Any, stop: Any, out: Any) -> None:
    fake = Timed()
    fake.arrivals = []
    with running(fake):
        out.put(fake.url)
        ready.set()
        stop.wait()
        out.put(fake.arrivals)


def _database(label: str, folder: Path) -> str:
    server = os.environ.get("HERALD_BENCH_POSTGRES_URL")
    if not server:
        return f"sqlite:///{folder / label}.db"
    engine, _ = postgres.schema_engine(server, SCHEMA, fresh=True)
    engine.dispose()
    return f"{server}{'&' if '?' in server else '?'}options=-csearch_path%3D{SCHEMA}"


def measure(rate: float, seconds: float) -> dict[str, Any]:
    """Four workers sending to one account paced at `rate` a second, for about `seconds`."""
    context = multiprocessing.get_context("fork")
    ready, stop, out = context.Event(), context.Event(), context.Queue()
    stand_in = context.Process(target=_serve, args=(ready, stop, out), daemon=True)
    stand_in.start()
    ready.wait(30)
    gateway = out.get(timeout=30)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        planned = max(20, int(rate * seconds))
        _prepare(_database(f"rate{rate:g}", folder), gateway, folder, planned)
        toml = folder / "herald.toml"
        toml.write_text(toml.read_text().replace("timeout = 2.0\n", f"timeout = 2.0\nrate = {rate}\n"), "utf-8")
        env = {**os.environ, "HERALD_CONFIG": str(toml), "CHAOS_SECRET": SECRET}
        # Workers that keep polling: paced messages wait in the queue for their moment, so "idle" comes early.
        command = [str(Path(sys.executable).with_name("herald")), "worker", "--batch-size", "100"]
        workers = [subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL) for _ in range(WORKERS)]
        time.sleep(planned / rate + 15)
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            w.wait(30)
    stop.set()
    arrivals = sorted(out.get(timeout=60))
    stand_in.join(10)
    return _windows(rate, planned, arrivals)


def _windows(rate: float, planned: int, arrivals: list[float]) -> dict[str, Any]:
    """Counts in every full 10-second window after the first second's burst."""
    if len(arrivals) < 2:
        return {"rate": rate, "planned": planned, "arrived": len(arrivals), "windows": [], "ok": False}
    # After the first second (which may carry a second's worth at once), windows start half a slot after an
    # arrival: a boundary on an arrival's very moment would count it by its microseconds.
    start, end = arrivals[0] + 1.0 + 0.5 / rate, arrivals[-1]
    counts = []
    while start + WINDOW <= end:
        counts.append(sum(start <= t < start + WINDOW for t in arrivals))
        start += WINDOW
    expected = rate * WINDOW
    worst = max((abs(c - expected) / expected for c in counts), default=0.0)
    ok = bool(counts) and worst <= TOLERANCE and len(arrivals) == planned
    return {"rate": rate, "planned": planned, "arrived": len(arrivals), "windows": counts, "worst": worst, "ok": ok}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[1.0, 80.0, 225.0])
    parser.add_argument("--seconds", type=float, default=40.0, help="how long each rate is sent for")
    args = parser.parse_args(argv)
    store = "PostgreSQL" if os.environ.get("HERALD_BENCH_POSTGRES_URL") else "SQLite"
    results = []
    for rate in args.rates:
        seconds = max(args.seconds, 3 * WINDOW + 2) if rate >= 1 else args.seconds
        found = measure(rate, seconds)
        results.append(found)
        windows = ", ".join(str(c) for c in found["windows"])
        print(
            f"pacing {store} {WORKERS} workers at {rate:g}/s: {found['arrived']:,} of {found['planned']:,} arrived; "
            f"per 10 s [{windows}] vs {rate * WINDOW:g}; worst {found.get('worst', 1.0):.1%} "
            f"({'OK' if found['ok'] else 'outside'} ±{TOLERANCE:.0%})",
            flush=True,
        )
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
