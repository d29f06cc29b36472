"""Hearing back, through HTTP: signed receipt callbacks through Herald's gateway route, and short-link
redirects through `/l/CODE` with each click recorded — each against a bare Starlette handler under the
same load, in the same run. The server runs in a process of its own (as `herald serve` does); the load
comes from this one, 64 requests in flight. Each server first answers WARM requests of their own, not
timed: a server runs for days, and its first requests load the agent parser's rules and compile statements
once (a third of a second), which is not what a request costs.

- receipts: Herald verifies the Standard Webhooks signature, reads the event and keeps it once, to be
  applied by the worker (as `herald worker` does, timed after the flood: `applied_per_s`); the bare
  handler verifies the same signature and updates the message by provider id.
- redirects: Herald finds the link, tells person from machine, records the click (and the contact's
  event) and answers 302; the bare handler answers a 302 to a fixed address.

python -m bench.webhooks --n 5000 [--ledger 1000000]

With --ledger M, the ledger also holds M earlier messages that no callback names, as a real one does: a
lookup that reads every message costs nothing on N rows and everything on a million.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import math
import os
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import aiohttp
from fastapi import Request  # FastAPI reads the bound server's annotations from this module's names

from herald.db import make_engine
from herald.db.migrate import upgrade

SECRET = "whsec_" + base64.b64encode(b"bench gateway signing key 32 b!!").decode()
KEY = base64.b64decode(SECRET.removeprefix("whsec_"))
NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
IN_FLIGHT = 64
WARM = 500  # requests each server answers before the timed ones (for messages of their own)
PHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build(db: Path, n: int, ledger: int = 0) -> None:
    """N sent messages (provider ids gw-0 …) with a short link each, after `ledger` earlier ones."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    engine.dispose()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    stamp = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO contacts (id, phone, attributes, created_at, updated_at) VALUES (?, ?, '{}', ?, ?)",
        [(i + 1, f"+9779800{i:06d}", stamp, stamp) for i in range(n)],
    )
    conn.executemany(
        "INSERT INTO messages (id, idempotency_key, contact_id, purpose, channel, address, status, planned_action,"
        " due_at, attempts, provider, provider_message_id, created_at, updated_at, sent_at, run)"
        " VALUES (?, ?, ?, 'marketing', 'sms', ?, 'sent', 'send', ?, 1, 'gateway', ?, ?, ?, ?, 0)",
        [(i + 1, f"b:{i}", i + 1, f"+9779800{i:06d}", stamp, f"gw-{i}", stamp, stamp, stamp) for i in range(n)],
    )
    conn.executemany(
        "INSERT INTO messages (id, idempotency_key, contact_id, purpose, channel, address, status, planned_action,"
        " due_at, attempts, provider, provider_message_id, created_at, updated_at, sent_at, run)"
        " VALUES (?, ?, ?, 'marketing', 'sms', ?, 'sent', 'send', ?, 1, 'gateway', ?, ?, ?, ?, 0)",
        (
            (n + i + 1, f"l:{i}", i % n + 1, f"+9779800{i % n:06d}", stamp, f"old-{i}", stamp, stamp, stamp)
            for i in range(ledger)
        ),
    )
    conn.executemany(
        "INSERT INTO links (code, message_id, url, position, created_at) VALUES (?, ?, ?, 0, ?)",
        [(code(i), i + 1, "https://shop.example/sale", stamp) for i in range(n)],
    )
    conn.execute("COMMIT")
    conn.close()


def code(i: int) -> str:
    return f"B{i:07d}"


def signed(i: int) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"type": "message.status", "id": f"gw-{i}", "status": "delivered", "timestamp": 1}).encode()
    wid, stamp = f"evt_{i}", str(int(time.time()))
    mac = base64.b64encode(hmac.new(KEY, f"{wid}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
    return body, {"webhook-id": wid, "webhook-timestamp": stamp, "webhook-signature": f"v1,{mac}"}


def serve_herald(db: str, port: int, hot: bool = True) -> None:
    import uvicorn

    from herald import bootstrap
    from herald.clock import FrozenClock
    from herald.config import Settings
    from herald.web import create_server

    settings = Settings(
        database_url=f"sqlite:///{db}",
        public_url=f"http://127.0.0.1:{port}",
        allowed_hosts="127.0.0.1",
        public_per_minute=0,  # one client sends every request here; a real audience comes from many addresses
        provider_accounts={"gateway": {"kind": "webhook", "url": "http://127.0.0.1:9/", "secret": "env:GW"}},
        routing={"sms": ["gateway"]},
    )
    container = bootstrap.build(settings, clock=FrozenClock(NOW), environ={"GW": SECRET})
    server = create_server(container, hot)
    uvicorn.run(server, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_plain(db: str, port: int) -> None:
    """Herald with its hot routes answered by the framework, as every other route is (the plain path)."""
    serve_herald(db, port, hot=False)


def serve_bare(db: str, port: int) -> None:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse, RedirectResponse, Response
    from starlette.routing import Route

    conn = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")

    async def hook(request: Request) -> Response:
        body, h = await request.body(), request.headers
        mac = hmac.new(KEY, f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + body, hashlib.sha256)
        given = h["webhook-signature"].split(",", 1)[1].encode()
        if not hmac.compare_digest(base64.b64encode(mac.digest()), given):
            return JSONResponse({"error": "forged"}, status_code=403)
        data = json.loads(body)
        conn.execute(
            "UPDATE messages SET delivery = ? WHERE provider = 'gateway' AND provider_message_id = ?",
            (data["status"], data["id"]),
        )
        return JSONResponse({"ok": True})

    async def link(request: Request) -> Response:
        return RedirectResponse("https://shop.example/sale", status_code=302)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"]), Route("/l/{code}", link)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def serve_bound(db: str, port: int) -> None:
    """The ceiling of Herald's web stack on this machine: a FastAPI route (Herald's framework) that verifies
    the signature and answers, touching no database."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse, RedirectResponse, Response

    app = FastAPI()

    @app.post("/webhooks/gateway/gateway")
    async def hook(request: Request) -> Response:
        body, h = await request.body(), request.headers
        mac = hmac.new(KEY, f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + body, hashlib.sha256)
        hmac.compare_digest(base64.b64encode(mac.digest()), h["webhook-signature"].split(",", 1)[1].encode())
        return JSONResponse({"reports": 1, "applied": len(json.loads(body))})

    @app.get("/l/{code}")
    async def link(code: str) -> Response:
        return RedirectResponse("https://shop.example/sale", status_code=302)

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def started(kind: str, db: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "bench.webhooks", f"serve-{kind}", str(db), str(port)])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the {kind} server did not start")


async def load(requests: list[tuple[str, str, bytes | None, dict[str, str]]]) -> float:
    """Send every request, IN_FLIGHT at a time; the seconds it took. Any answer but 200 or 302 fails."""
    gate = asyncio.Semaphore(IN_FLIGHT)
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def one(method: str, url: str, body: bytes | None, headers: dict[str, str]) -> None:
            async with gate, session.request(method, url, data=body, headers=headers, allow_redirects=False) as r:
                await r.read()
                if r.status not in (200, 302):
                    raise RuntimeError(f"{method} {url}: {r.status} {await r.text()}")

        began = time.perf_counter()
        await asyncio.gather(*(one(*r) for r in requests))
        return time.perf_counter() - began


class Run(NamedTuple):
    seconds: float  # the load's, end to end
    cpu: float  # the server process's CPU seconds meanwhile (every thread), when the system says


def run(kind: str, db: Path, requests_of: object, n: int) -> Run:
    """The timed load of requests 0 … n-1, after the warming ones (n … n+WARM-1), against one server."""
    process, base = started(kind, db)
    try:
        asyncio.run(load(requests_of(base, range(n, n + WARM))))  # type: ignore[operator]
        before = cpu_seconds(process.pid)
        seconds = asyncio.run(load(requests_of(base, range(n))))  # type: ignore[operator]
        return Run(seconds, cpu_seconds(process.pid) - before)
    finally:
        process.terminate()
        process.wait(10)


def cpu_seconds(pid: int) -> float:
    """A process's CPU time so far, user and system (Linux's /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return math.nan
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def receipts(n: int, data: Path, ledger: int = 0) -> dict[str, object]:
    bodies = [signed(i) for i in range(n + WARM)]
    json_body = {"content-type": "application/json"}

    def herald_requests(base: str, which: range) -> list:
        return [("POST", f"{base}/webhooks/gateway/gateway", *bodies[i][:1], bodies[i][1] | json_body) for i in which]

    def bare_requests(base: str, which: range) -> list:
        return [("POST", f"{base}/hook", *bodies[i]) for i in which]

    db = data / "webhooks.db"
    build(db, n + WARM, ledger)
    herald = run("herald", db, herald_requests, n)
    applying = apply_kept(db)
    recorded = _count(db, "SELECT count(*) FROM receipts WHERE outcome = 'applied'")
    build(db, n + WARM, ledger)
    plain = run("plain", db, herald_requests, n)
    build(db, n + WARM, ledger)
    bare = run("bare", db, bare_requests, n)
    bound = run("bound", db, herald_requests, n)
    found = _result("receipts", n, (herald, plain, bare, bound), recorded, "signed callbacks/s", ledger)
    applied = round((n + WARM) / applying)
    found["summary"] += f"; the worker then applied them at {applied:,}/s"
    return found | {"applied_per_s": applied}


def apply_kept(db: Path) -> float:
    """Apply the receipts the callbacks kept, as the worker's round does: how long it took."""
    from herald import tracking
    from herald.db import UnitOfWork, sessions

    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    while True:
        with UnitOfWork(sessions(engine)) as uow:
            if not sum(tracking.apply_queued(uow, NOW).values()):
                break
    seconds = time.perf_counter() - started
    engine.dispose()
    return seconds


def redirects(n: int, data: Path, ledger: int = 0) -> dict[str, object]:
    def requests(base: str, which: range) -> list:
        return [("GET", f"{base}/l/{code(i)}", None, {"user-agent": PHONE}) for i in which]

    db = data / "webhooks.db"
    build(db, n + WARM, ledger)
    herald = run("herald", db, requests, n)
    recorded = _count(db, "SELECT count(*) FROM clicks WHERE human")
    build(db, n + WARM, ledger)
    plain = run("plain", db, requests, n)
    bare = run("bare", db, requests, n)
    bound = run("bound", db, requests, n)
    return _result("redirects", n, (herald, plain, bare, bound), recorded, "redirects/s", ledger)


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _result(name: str, n: int, runs: tuple[Run, Run, Run, Run], recorded: int, unit: str, ledger: int = 0) -> dict:
    """`runs`: Herald's, Herald's through the framework (the plain path), the bare handler's, the bound's."""
    if recorded != n + WARM:
        raise RuntimeError(f"{name}: {recorded} of {n + WARM} recorded (with the {WARM} warming up)")
    mine, plain, theirs, ceiling = (round(n / r.seconds) for r in runs)
    # Both servers are held to one core by the GIL, so what each costs a request bounds it: Herald reaches
    # half the bare handler's rate only if a request costs it no more than twice the bare one's CPU.
    cost, bare_cost = (1000 * r.cpu / n for r in (runs[0], runs[2]))
    summary = (
        f"{name:<16} N={n:<9} herald {mine:>8,} {unit}   bare {theirs:>8,} {unit}   ratio {mine / theirs:.2f}x "
        f"(every one verified and recorded; {IN_FLIGHT} in flight, server in its own process; {ledger:,} earlier "
        f"messages in the ledger; through the framework's routes {plain:,} {unit}; bound: FastAPI answering "
        f"without a database {ceiling:,} {unit}; server CPU a request: herald {cost:.2f} ms, bare "
        f"{bare_cost:.2f} ms, so one core holds herald to {1000 / cost:,.0f} {unit} and 0.5x asks for "
        f"{2 * bare_cost:.2f} ms)"
    )
    found = {"workload": name, "rows": n, "ledger": ledger, "herald_per_s": mine, "bare_per_s": theirs}
    found |= {"plain_per_s": plain, "bound_per_s": ceiling, "herald_cpu_ms": round(cost, 3)}
    found |= {"bare_cpu_ms": round(bare_cost, 3)}
    return found | {"ratio": round(mine / theirs, 2), "summary": summary}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    servers = {"serve-herald": serve_herald, "serve-plain": serve_plain, "serve-bare": serve_bare}
    servers["serve-bound"] = serve_bound
    if args and args[0] in servers:
        servers[args[0]](args[1], int(args[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--ledger", type=int, default=0, help="earlier messages no callback names (default 0)")
    parsed = parser.parse_args(args)
    data = Path(__file__).with_name(".data")
    data.mkdir(exist_ok=True)
    for workload in (receipts, redirects):
        print(workload(parsed.n, data, parsed.ledger)["summary"], flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
