"""Receipts the stand-ins send back, as their vendors would: a POST to the address Herald gave, a moment
after the message was taken, signed each vendor's way. Nobody listening (no `herald serve`) is no fault:
the stand-in notes what each attempt got and carries on."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field

import aiohttp


def twilio_signed(token: str, url: str, fields: Mapping[str, str]) -> str:
    """X-Twilio-Signature: Base64 HMAC-SHA1 of the URL and each field's name and value, sorted by name."""
    data = url + "".join(name + fields[name] for name in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()).decode()


@dataclass
class Sent:
    """Receipts posted, and what each got: an HTTP status, or the reason it could not be sent."""

    answers: list[tuple[str, str, int | str]] = field(default_factory=list)  # (url, what, status or reason)
    pending: set[asyncio.Task[None]] = field(default_factory=set)
    session: aiohttp.ClientSession | None = None  # one for the stand-in's life, on its own loop
    # A vendor posts a few receipts at a time, not a thousand at once: the rest wait their turn here.
    at_once: asyncio.Semaphore | None = None

    def later(self, url: str, what: str, body: bytes, headers: dict[str, str], delay: float = 0.05) -> None:
        """Post a receipt a moment from now, from the stand-in's own loop."""
        task = asyncio.get_running_loop().create_task(self._post(url, what, body, headers, delay))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _post(self, url: str, what: str, body: bytes, headers: dict[str, str], delay: float) -> None:
        await asyncio.sleep(delay)
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        self.at_once = self.at_once or asyncio.Semaphore(8)
        try:
            async with self.at_once, self.session.post(url, data=body, headers=headers) as answer:
                self.answers.append((url, what, answer.status))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.answers.append((url, what, type(exc).__name__))

    def visit(self, url: str, user_agent: str, delay: float) -> None:
        """Follow a link a moment from now, as a phone or a preview fetcher does (no redirect followed)."""
        task = asyncio.get_running_loop().create_task(self._visit(url, user_agent, delay))
        self.pending.add(task)
        task.add_done_callback(self.pending.discard)

    async def _visit(self, url: str, user_agent: str, delay: float) -> None:
        await asyncio.sleep(delay)
        if self.session is None or self.session.closed:
            self.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        try:
            headers = {"User-Agent": user_agent}
            async with self.session.get(url, headers=headers, allow_redirects=False) as answer:
                self.answers.append((url, "visit", answer.status))
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            self.answers.append((url, "visit", type(exc).__name__))

    async def close(self, _: object = None) -> None:
        """Stop posting (the stand-in is going): what is still pending is dropped, the session closed."""
        for task in list(self.pending):
            task.cancel()
        if self.pending:
            await asyncio.gather(*self.pending, return_exceptions=True)
        if self.session is not None:
            await self.session.close()
