"""What the HTTP adapters share: a batch's requests in flight together on one session, a vendor's JSON
answer read as an object, and the two ways a request fails on the network — it never reached the vendor
(safe to try again), or it got no answer (it may have been delivered)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp

from herald.providers.base import Outgoing, Retryable, SendResult, Uncertain

Post = Callable[[aiohttp.ClientSession, Outgoing], Awaitable[SendResult]]


async def each(
    batch: Sequence[Outgoing], timeout: float, post: Post, vendor: str, dedupes: bool = False
) -> list[SendResult]:
    """Every message of the batch posted at once, each answer (or failure) mapped to a send result."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        return list(await asyncio.gather(*(guarded(post(session, item), vendor, dedupes) for item in batch)))


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
