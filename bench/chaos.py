"""`make chaos`: a worker killed with SIGKILL at random moments during a campaign, and what it proves.

A campaign of N messages (10,000 by default) goes to the webhook gateway stand-in, served by a process of
its own that counts every request by its webhook-id. A worker process (`herald worker`) is started and
killed with SIGKILL at a random moment, twenty times over, then one last worker runs to the end (leases of
two seconds, so what a killed worker held comes back soon). Then:

- at the stand-in, no message arrived twice (the gateway does not drop repeats here, so a resend would
  show);
- in the ledger every planned message ended `sent`, `failed` with a reason, or `unknown` (a killed worker
  had it in flight: it may have arrived, and it is never resent blindly), and the counts add up to the plan;
- every message the stand-in took is `sent` or `unknown` in the ledger.

Run on SQLite, and on PostgreSQL when HERALD_BENCH_POSTGRES_URL names a server.

python -m bench.chaos [--n 10000] [--kills 20] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bench import postgres
from herald import bootstrap
from herald.campaigns import service as campaigns
from herald.clock import FrozenClock, SystemClock
from herald.config import Settings
from herald.contacts.importing import importer
from herald.content import service as content
from herald.outbox.models import Message
from herald.sandbox import Faults
from herald.sandbox.gateway import SECRET, FakeGateway, running
from herald.types import Channel, Purpose

SCHEMA = "bench_chaos"
TEMPLATE = "Your order {{ first_name }} is ready for pickup."


def _serve(ready: Any, stop: Any, out: Any, faults: Faults | None = None) -> None:
    with running(FakeGateway(random=faults or Faults())) as fake:
        out.put(fake.url)
        ready.set()
        stop.wait()
        out.put((sorted(int(m["reference"]) for m in fake.received.values()), list(fake.repeats)))


def _prepare(url: str, gateway: str, folder: Path, n: int) -> Settings:
    settings = Settings(
        env="test",
        database_url=url,
        lease_seconds=2,
        batch_size=200,
        provider_accounts={"gw": {"kind": "webhook", "url": gateway, "secret": "env:CHAOS_SECRET", "timeout": 2.0}},
        routing={"sms": ["gw"]},
    )
    csv_path = folder / "people.csv"
    rows = [f"Person {i},+9779841{i:06d}" for i in range(n)]
    csv_path.write_text("name,phone\n" + "\n".join(rows) + "\n", encoding="utf-8")
    container = bootstrap.build(settings, environ={"CHAOS_SECRET": SECRET})
    container.migrate()
    now = container.clock.now()
    with container.uow() as uow:
        importer.import_file(uow, csv_path, now, erasure_key=settings.secret_key)
        version = content.create_template(
            uow, "pickup", Channel.SMS, {"body": TEMPLATE}, author="a", now=now, purpose=Purpose.TRANSACTIONAL
        )
        content.review(uow, version, "submit", actor="a", now=now)
        content.review(uow, version, "approve", actor="b", now=now)
        cid = campaigns.create_campaign(uow, "Pickup", "has:phone", "pickup", now, purpose=Purpose.TRANSACTIONAL).id
    with container.uow() as uow:
        campaigns.plan_campaign(uow, cid, now)
    container.close()
    toml = folder / "herald.toml"
    toml.write_text(
        "[herald]\n"
        f'database_url = "{url}"\nlease_seconds = 2\nbatch_size = 200\n'
        f'[providers.gw]\nkind = "webhook"\nurl = "{gateway}"\nsecret = "env:CHAOS_SECRET"\ntimeout = 2.0\n'
        '[routing]\nsms = ["gw"]\n',
        encoding="utf-8",
    )
    return settings


def _worker(folder: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HERALD_CONFIG": str(folder / "herald.toml"), "CHAOS_SECRET": SECRET, "HERALD_ENV": "test"}
    command = [str(Path(sys.executable).with_name("herald")), "worker", "--until-idle"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _ledger(settings: Settings) -> tuple[Counter[str], dict[int, str], Counter[str]]:
    container = bootstrap.build(settings, environ={"CHAOS_SECRET": SECRET})
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.id, Message.status, Message.reason)).all()
    container.close()
    reasons = Counter(r.reason for r in rows if r.status == "failed")
    return Counter(r.status for r in rows), {r.id: r.status for r in rows}, reasons


class StandIn:
    """The gateway stand-in in a process of its own; on leaving, what it received (references) and repeats."""

    def __init__(self, faults: Faults | None = None) -> None:
        context = multiprocessing.get_context("fork")
        self.ready, self.stop, self.out = context.Event(), context.Event(), context.Queue()
        self.process = context.Process(target=_serve, args=(self.ready, self.stop, self.out, faults), daemon=True)
        self.received: list[int] = []
        self.repeats: list[str] = []

    def __enter__(self) -> str:
        self.process.start()
        self.ready.wait(30)
        return str(self.out.get(timeout=30))

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.received, self.repeats = self.out.get(timeout=60)
        self.process.join(10)


def run_store(name: str, url: str, n: int, kills: int, rng: random.Random) -> dict[str, Any]:
    stand_in = StandIn()
    with stand_in as gateway, tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = _prepare(url, gateway, folder, n)
        started = time.perf_counter()
        for _ in range(kills):
            worker = _worker(folder)
            time.sleep(rng.uniform(0.8, 3.0))  # the worker takes about a second to start
            worker.send_signal(signal.SIGKILL)
            worker.wait()
        time.sleep(settings.lease_seconds + 0.5)  # what the last one held comes back
        final = _worker(folder)
        final.wait(timeout=600)
        seconds = time.perf_counter() - started
        statuses, by_id, reasons = _ledger(settings)
    received, repeats = stand_in.received, stand_in.repeats
    taken_but_not_settled = [m for m in received if by_id.get(m) not in ("sent", "unknown")]
    settled = statuses["sent"] + statuses["failed"] + statuses["unknown"]
    ok = not repeats and settled == n == sum(statuses.values()) and not taken_but_not_settled
    return {
        "store": name,
        "planned": n,
        "kills": kills,
        "seconds": round(seconds, 1),
        "ledger": dict(statuses),
        "failed_reasons": dict(reasons),
        "stand_in_received": len(received),
        "received_twice": len(repeats),
        "received_but_not_sent_or_unknown": len(taken_but_not_settled),
        "ok": ok,
    }


def run_faults(name: str, url: str, n: int, seed: int) -> dict[str, Any]:
    """A vendor answering 10 % 429 with Retry-After, 2 % 500 and 1 % never: a worker in this process with
    a clock moved on two minutes whenever nothing is due, until nothing is queued."""
    stand_in = StandIn(Faults(throttle_rate=0.10, fail_rate=0.02, timeout_rate=0.01, seed=seed))
    with stand_in as gateway, tempfile.TemporaryDirectory() as tmp:
        settings = _prepare(url, gateway, Path(tmp), n)
        clock = FrozenClock(SystemClock().now())
        container = bootstrap.build(settings, clock=clock, environ={"CHAOS_SECRET": SECRET})
        started, rounds, retried = time.perf_counter(), 0, 0
        while rounds < 200:
            rounds += 1
            retried += asyncio.run(container.worker().run(until_idle=True)).retried
            with container.uow() as uow:
                left = uow.session.scalar(select(func.count()).where(Message.status.in_(("queued", "claimed"))))
            if not left:
                break
            clock.advance(minutes=2)
        container.close()
        statuses, by_id, reasons = _ledger(settings)
    received = Counter(stand_in.received)
    sent = [m for m, status in by_id.items() if status == "sent"]
    ok = (
        not stand_in.repeats
        and all(received[m] == 1 for m in sent)
        and statuses["sent"] + statuses["unknown"] + statuses["failed"] == n
    )
    return {
        "store": name,
        "planned": n,
        "rounds": rounds,
        "retried": retried,
        "seconds": round(time.perf_counter() - started, 1),
        "ledger": dict(statuses),
        "failed_reasons": dict(reasons),
        "stand_in_received": len(stand_in.received),
        "received_twice": len(stand_in.repeats),
        "ok": ok,
    }


def _chaos_schema(server: str) -> str:
    """The server's URL with the tables in a schema of their own, emptied first (workers started as
    processes get the same search path from the URL)."""
    engine, _ = postgres.schema_engine(server, SCHEMA, fresh=True)
    engine.dispose()
    joiner = "&" if "?" in server else "?"
    return f"{server}{joiner}options=-csearch_path%3D{SCHEMA}"


def _reasons(result: dict[str, Any]) -> str:
    return f" (failed: {result['failed_reasons']})" if result["failed_reasons"] else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    server = os.environ.get("HERALD_BENCH_POSTGRES_URL")
    with tempfile.TemporaryDirectory() as tmp:

        def stores(label: str) -> list[tuple[str, str]]:
            """A fresh database for each scenario: a file, and a schema emptied on the server."""
            found = [("sqlite", f"sqlite:///{Path(tmp) / label}.db")]
            return found + ([("postgresql", _chaos_schema(server))] if server else [])

        killed = [run_store(name, url, args.n, args.kills, rng) for name, url in stores("killed")]
        faulty = [run_faults(name, url, args.n, args.seed) for name, url in stores("faults")]
    for r in killed:
        print(
            f"chaos {r['store']:<10} {'OK' if r['ok'] else 'FAILED'}: {r['planned']:,} planned, {r['kills']} SIGKILLs "
            f"in {r['seconds']} s; ledger {r['ledger']}; the stand-in took {r['stand_in_received']:,}, "
            f"{r['received_twice']} twice; {r['received_but_not_sent_or_unknown']} taken but neither sent nor unknown"
        )
    for r in faulty:
        print(
            f"faults {r['store']:<9} {'OK' if r['ok'] else 'FAILED'}: {r['planned']:,} planned against 10 % 429, "
            f"2 % 500, 1 % no answer; {r['retried']:,} retries over {r['rounds']} rounds in {r['seconds']} s; "
            f"ledger {r['ledger']}{_reasons(r)}; the stand-in took {r['stand_in_received']:,}, "
            f"{r['received_twice']} twice"
        )
    return 0 if all(r["ok"] for r in killed + faulty) else 1


if __name__ == "__main__":
    sys.exit(main())
