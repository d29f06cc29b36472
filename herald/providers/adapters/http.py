"""What the HTTP adapters share: a batch's requests in flight together on one session, a vendor's JSON
answer read as an object, and the two ways a request fails on the network — it never reached the vendor
(safe to try again), or it got no answer (it may have been delivered)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import aiohttp

from herald.providers.base import Outgoing, Retryable, SendResult, Uncertain

Post = Callable[[aiohttp.ClientSession, Outgoing], Awaitable[SendResult]]


IN_FLIGHT = 64  # requests a worker keeps in flight to one vendor at once, unless `herald worker --concurrency`


class KeepsSession:
    """For an HTTP adapter: while a worker runs, one aiohttp session (its connections kept alive) carries
    batch after batch; outside `opened()`, each batch has a session of its own."""

    timeout: float
    session: aiohttp.ClientSession | None = None
    in_flight: int = IN_FLIGHT  # requests at once to this vendor

    @asynccontextmanager
    async def opened(self) -> AsyncIterator[None]:
        self.session = _session(self.timeout, self.in_flight)
        try:
            yield
        finally:
            session, self.session = self.session, None
            await session.close()


def _session(timeout: float, in_flight: int) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(limit=in_flight)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout))


async def each(
    batch: Sequence[Outgoing],
    timeout: float,
    post: Post,
    vendor: str,
    dedupes: bool = False,
    kept: aiohttp.ClientSession | None = None,
    in_flight: int = IN_FLIGHT,
) -> list[SendResult]:
    """Every message of the batch posted, up to `in_flight` at once over kept-alive connections (the
    adapter's kept session, else one for this batch), each answer or failure mapped to a send result. A
    request's timeout starts when it is let through, not while it waits its turn."""
    gate = asyncio.Semaphore(in_flight)

    async def one(session: aiohttp.ClientSession, item: Outgoing) -> SendResult:
        async with gate:
            return await guarded(post(session, item), vendor, dedupes)

    if kept is not None and not kept.closed:
        return list(await asyncio.gather(*(one(kept, item) for item in batch)))
    async with _session(timeout, in_flight) as session:
        return list(await asyncio.gather(*(one(session, item) for item in batch)))


async def guarded(request: Awaitable[SendResult], vendor: str, dedupes: bool = False) -> SendResult:
    """The request's result; a failure to connect is Retryable (nothing was delivered), no answer is
    Uncertain unless the vendor drops repeats (then asking again is safe)."""
    try:
        return await request
    except aiohttp.ClientConnectorError as exc:
        return Retryable(f"cannot connect to {vendor}: {exc.os_error or exc}", fault=True)
    except (TimeoutError, aiohttp.ClientError) as exc:
        reason = f"no answer from {vendor} ({type(exc).__name__})"
        return Retryable(reason, fault=True) if dedupes else Uncertain(reason)


def json_object(text: str) -> dict[str, Any]:
    """A vendor's answer as a JSON object ({} when it is not one)."""
    try:
        found = json.loads(text)
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
