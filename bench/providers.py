"""Sending throughput through the real adapters to local stand-ins, each served by a process of its own:

- webhook, no latency: the `webhook` provider sending N messages in batches of 500 (64 in flight), against
  a bare aiohttp loop posting the same signed requests, 64 in flight on one session — target ≥ 0.7×;
- webhook, 50 ms latency: the same provider against the ceiling C/latency = 1,280 a second — target ≥ 0.9×
  (beside a bare loop with no batches on the same stand-in: what the machine allows at all);
- smtp: the `smtp` provider (4 connections) against a bare aiosmtplib loop sending the same letters over
  4 connections — target ≥ 0.7×.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import aiosmtplib

from herald.providers import Outgoing, WebhookProvider
from herald.providers.adapters.letters import Letterhead, letter
from herald.providers.adapters.smtp import Server, SmtpProvider
from herald.providers.adapters.webhook import body_of, signature, signing_key
from herald.sandbox import Faults
from herald.sandbox.gateway import SECRET, FakeGateway
from herald.sandbox.gateway import running as gateway_running
from herald.sandbox.mail import PASSWORD, USER, FakeMailServer
from herald.sandbox.mail import running as mail_running

BATCH = 500
IN_FLIGHT = 64
CONNECTIONS = 4
LATENCY = 0.05


def _serve(start: Callable[[], Any], ready: Any, stop: Any, where: Any) -> None:
    with start() as served:
        where.put(getattr(served, "url", None) or served.port)
        ready.set()
        stop.wait()


def _gateway(latency: float) -> Any:
    return gateway_running(FakeGateway(random=Faults(latency=latency)))


def _mail() -> Any:
    return mail_running(FakeMailServer())


class Served:
    """A stand-in in a process of its own, so that it does not share the client's interpreter."""

    def __init__(self, start: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self.ready, self.stop, self.where = context.Event(), context.Event(), context.Queue()
        self.process = context.Process(target=_serve, args=(start, self.ready, self.stop, self.where), daemon=True)

    def __enter__(self) -> Any:
        self.process.start()
        self.ready.wait(30)
        return self.where.get(timeout=30)

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.process.join(10)


def messages(n: int, channel: str = "sms") -> list[Outgoing]:
    to = "+9779841{:06d}" if channel == "sms" else "p{}@example.com"
    return [Outgoing(i, f"bench:{i}", channel, to.format(i), f"Hello {i}, sale today.", "Sale") for i in range(n)]


async def _provider_rate(provider: Any, items: list[Outgoing]) -> float:
    """Batch after batch, as the worker sends them: the next batch goes out while the last is in flight (two
    at most), an HTTP adapter keeping its session, whose connections cap the requests in flight, for the run."""
    started = time.perf_counter()
    async with AsyncExitStack() as stack:
        if hasattr(provider, "opened"):
            await stack.enter_async_context(provider.opened())
        last: asyncio.Task[Any] | None = None
        for at in range(0, len(items), BATCH):
            sending = asyncio.create_task(provider.send(items[at : at + BATCH]))
            if last is not None:
                _all_accepted(await last)
            last = sending
        if last is not None:
            _all_accepted(await last)
    return len(items) / (time.perf_counter() - started)


def _all_accepted(results: list[Any]) -> None:
    assert all(type(r).__name__ == "Accepted" for r in results), results[:3]


async def _bare_http(url: str, items: list[Outgoing]) -> float:
    key = signing_key(SECRET)
    stamp = int(time.time())
    requests = []
    for item in items:
        body = body_of(item)
        headers = {
            "content-type": "application/json",
            "webhook-id": item.idempotency_key,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature(key, item.idempotency_key, stamp, body),
        }
        requests.append((body, headers))
    gate = asyncio.Semaphore(IN_FLIGHT)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT)) as session:

        async def post(body: bytes, headers: dict[str, str]) -> None:
            async with gate, session.post(url, data=body, headers=headers) as response:
                await response.read()
                assert response.status == 202

        await asyncio.gather(*(post(b, h) for b, h in requests))
    return len(items) / (time.perf_counter() - started)


async def _bare_smtp(port: int, items: list[Outgoing]) -> float:
    head, now = Letterhead("b@bench.example"), datetime.now(UTC)
    letters = [letter(head, item, now) for item in items]
    started = time.perf_counter()

    async def carry(share: list[Any]) -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, username=USER, password=PASSWORD, start_tls=False)
        await client.connect()
        for built, item in share:
            await client.sendmail(built.envelope_from, [item.to], built.data)
        await client.quit()

    pairs = list(zip(letters, items, strict=True))
    await asyncio.gather(*(carry(pairs[i::CONNECTIONS]) for i in range(CONNECTIONS)))
    return len(items) / (time.perf_counter() - started)


def send_throughput(n: int, data: Path) -> dict[str, object]:
    """Messages a second through the adapters, each beside its baseline measured in the same run."""
    n = max(BATCH, min(n, 20_000))  # enough for a steady rate; the stand-ins keep what they take in memory
    found: dict[str, object] = {"workload": "send_throughput", "rows": n}
    items = messages(n)
    with Served(lambda: _gateway(0.0)) as url:
        found["webhook_bare_per_s"] = round(asyncio.run(_bare_http(url, items)))
    with Served(lambda: _gateway(0.0)) as url:
        provider = WebhookProvider(url, SECRET)
        found["webhook_per_s"] = round(asyncio.run(_provider_rate(provider, items)))
    slow = items[: min(n, 5_000)]
    with Served(lambda: _gateway(LATENCY)) as url:  # what this machine allows at all: a loop with no batches
        found["webhook_50ms_bare_per_s"] = round(asyncio.run(_bare_http(url, slow)))
    with Served(lambda: _gateway(LATENCY)) as url:
        provider = WebhookProvider(url, SECRET)
        found["webhook_50ms_per_s"] = round(asyncio.run(_provider_rate(provider, slow)))
    letters = messages(min(n, 5_000), "email")
    with Served(_mail) as port:
        found["smtp_bare_per_s"] = round(asyncio.run(_bare_smtp(port, letters)))
    with Served(_mail) as port:
        mailer = SmtpProvider(Server("127.0.0.1", port, "none", USER, PASSWORD), Letterhead("b@bench.example"))
        found["smtp_per_s"] = round(asyncio.run(_provider_rate(mailer, letters)))
    ceiling = IN_FLIGHT / LATENCY
    found["webhook_ratio"] = round(found["webhook_per_s"] / found["webhook_bare_per_s"], 2)  # type: ignore[operator]
    found["webhook_50ms_ratio"] = round(found["webhook_50ms_per_s"] / ceiling, 2)  # type: ignore[operator]
    found["webhook_50ms_bare_ratio"] = round(found["webhook_50ms_bare_per_s"] / ceiling, 2)  # type: ignore[operator]
    found["smtp_ratio"] = round(found["smtp_per_s"] / found["smtp_bare_per_s"], 2)  # type: ignore[operator]
    found["summary"] = (
        f"send_throughput   webhook {found['webhook_per_s']:,}/s vs bare aiohttp {found['webhook_bare_per_s']:,}/s "
        f"= {found['webhook_ratio']:.2f}x (target 0.7)   50 ms: {found['webhook_50ms_per_s']:,}/s vs C/latency "
        f"{ceiling:,.0f}/s = {found['webhook_50ms_ratio']:.2f}x (target 0.9; a bare loop with no batches "
        f"reaches {found['webhook_50ms_bare_per_s']:,}/s = {found['webhook_50ms_bare_ratio']:.2f}x here)   "
        f"smtp {found['smtp_per_s']:,}/s vs bare "
        f"aiosmtplib {found['smtp_bare_per_s']:,}/s = {found['smtp_ratio']:.2f}x (target 0.7)"
    )
    return found
