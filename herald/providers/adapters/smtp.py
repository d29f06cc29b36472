"""The `smtp` provider: mail through any server that takes submissions, over a pool of connections, each
with STARTTLS or TLS and AUTH, the letters built by `letters` and every reply mapped, once, to
Accepted | Retryable | Permanent | Uncertain.

Replies: 4xx is tried again (421 means the server is closing: the account's fault); a 5xx to a recipient
or to the content fails that message (5.1.1 and its kin — no such mailbox — also mark the address
invalid); a 5xx to the sender, or AUTH refused, means the account cannot send: it is paused and its
messages wait for the route's next account. The connection steps before DATA are safe to repeat: a
connection lost there is made again and the message tried once more. A connection lost or silent after
DATA may have delivered the letter: Uncertain, never resent blindly (its Message-ID settles it later).
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import aiosmtplib
from aiosmtplib import (
    SMTPAuthenticationError,
    SMTPDataError,
    SMTPException,
    SMTPNotSupported,
    SMTPRecipientRefused,
    SMTPResponseException,
    SMTPSenderRefused,
    SMTPServerDisconnected,
    SMTPTimeoutError,
)

from herald.providers.adapters.letters import Letter, Letterhead, letter
from herald.providers.base import (
    Accepted,
    Callback,
    Checked,
    Outgoing,
    Permanent,
    Report,
    Retryable,
    SendResult,
    Uncertain,
)

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
ENHANCED = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
# Enhanced codes (RFC 3463) that say the mailbox does not exist: the address is invalid, not just refused.
NO_MAILBOX = {"5.1.1", "5.1.2", "5.1.3", "5.1.6", "5.1.10"}
CLOSING = 421
MAX_REASON = 300


@dataclass(frozen=True)
class Server:
    host: str
    port: int | None = None
    security: str = "starttls"  # starttls | tls | none
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None  # trust this CA bundle (a company's own) instead of the system's
    timeout: float = 30.0
    local_hostname: str | None = None

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"

    def client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port or DEFAULT_PORTS[self.security],
            username=self.username,
            password=self.password,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            cert_bundle=self.ca_file,
            timeout=self.timeout,
            local_hostname=self.local_hostname,
        )


def refused(stage: str, code: int, message: str) -> SendResult:
    """A reply refusing the sender, a recipient or the content, as a send result."""
    enhanced = ENHANCED.search(message)
    said = f"{code} {' '.join(message.split())}"[:MAX_REASON]
    if code == CLOSING:
        return Retryable(f"the server is closing the connection: {said}", fault=True)
    if code < 500:
        return Retryable(f"the server asks to try later: {said}")
    if stage == "sender":
        return Retryable(f"the server refuses the sender: {said}", fatal=True)
    number = enhanced.group(1) if enhanced else str(code)
    invalid = stage == "recipient" and number in NO_MAILBOX
    return Permanent(f"{'no such mailbox' if invalid else 'refused'}: {said}", number, "invalid" if invalid else None)


class _Lost(Exception):
    """The connection went before DATA: nothing was delivered, so the message may be tried again."""


class SmtpProvider:
    kind = "smtp"
    deduplicates = False  # a resent letter is a second letter

    def __init__(self, server: Server, head: Letterhead, connections: int = 4) -> None:
        self.server, self.head, self.connections = server, head, connections

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        """The batch over up to `connections` connections at once, each taking the next waiting letter."""
        waiting = deque(enumerate(batch))
        results: list[SendResult | None] = [None] * len(batch)
        pool = _Pool(min(self.connections, len(batch)))
        await asyncio.gather(*(self._drain(waiting, results, pool) for _ in range(pool.alive)))
        return [r if r is not None else Retryable("not sent") for r in results]

    async def _drain(self, waiting: deque, results: list, pool: _Pool) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while waiting:
                index, item = waiting.popleft()
                if client is None:
                    opened = await self.connect()
                    if isinstance(opened, Retryable):
                        pool.lost(opened, (index, item), waiting, results)
                        return
                    client = opened
                results[index], client = await self._deliver(client, item)
        finally:
            pool.alive = max(0, pool.alive - 1)
            await _quit(client)

    async def _deliver(self, client: aiosmtplib.SMTP, item: Outgoing) -> tuple[SendResult, aiosmtplib.SMTP | None]:
        """One letter; a connection lost before DATA is made again once."""
        head = replace(self.head, sender=item.sender) if item.sender else self.head
        built = letter(head, item, datetime.now(UTC))
        try:
            return await self._transfer(client, built, item.to), client
        except _Lost:
            await _quit(client)
            fresh = await self.connect()
            if isinstance(fresh, Retryable):
                return fresh, None
            try:
                return await self._transfer(fresh, built, item.to), fresh
            except _Lost as exc:
                return Retryable(f"the connection to {self.server.address} keeps dropping: {exc}", fault=True), None

    async def _transfer(self, client: aiosmtplib.SMTP, built: Letter, to: str) -> SendResult:
        options = ["SMTPUTF8"] if built.utf8 else None
        try:
            await client.mail(built.envelope_from, options=options)
            await client.rcpt(to)
        except (SMTPSenderRefused, SMTPRecipientRefused) as exc:
            if exc.code == CLOSING:  # the server ends this connection (too many letters, going down)
                raise _Lost(f"{exc.code} {exc.message}") from exc
            await _reset(client)
            return refused("sender" if isinstance(exc, SMTPSenderRefused) else "recipient", exc.code, exc.message)
        except (SMTPServerDisconnected, SMTPTimeoutError) as exc:
            raise _Lost(str(exc)) from exc
        try:
            await client.data(built.data)
        except SMTPDataError as exc:
            return refused("content", exc.code, exc.message)
        except (SMTPServerDisconnected, SMTPTimeoutError) as exc:
            return Uncertain(f"no answer from {self.server.address} after the letter was sent ({exc})")
        return Accepted(built.message_id)

    async def connect(self) -> aiosmtplib.SMTP | Retryable:
        """A connected, upgraded and signed-in client, or why there is none."""
        client = self.server.client()
        where = self.server.address
        try:
            await client.connect()
        except SMTPAuthenticationError as exc:
            return Retryable(f"{where} refuses the username and password: {exc.code} {exc.message}", fatal=True)
        except ssl.SSLError as exc:
            return Retryable(f"TLS with {where} failed: {exc.reason or exc}", fatal=True)
        except SMTPNotSupported as exc:  # no STARTTLS, or no AUTH offered: the account's settings are wrong
            return Retryable(f"{where}: {exc}", fatal=True)
        except SMTPResponseException as exc:
            return Retryable(f"{where} refuses the connection: {exc.code} {exc.message}", fault=True)
        except (SMTPException, OSError, TimeoutError) as exc:
            return Retryable(f"cannot connect to {where}: {exc}", fault=True)
        return client

    async def check(self) -> Checked:
        """Connect, upgrade to TLS, sign in and say NOOP: the server takes this account's submissions."""
        client = await self.connect()
        if isinstance(client, Retryable):
            return Checked(False, client.reason)
        try:
            await client.noop()
        finally:
            await _quit(client)
        secure = {"starttls": "STARTTLS", "tls": "TLS", "none": "no encryption"}[self.server.security]
        signed_in = f", signed in as {self.server.username}" if self.server.username else ""
        return Checked(True, f"{self.server.address} answered ({secure}{signed_in})")

    def verify(self, callback: Callback) -> bool:
        return False  # bounces come back by mail, not by webhook

    def parse_webhook(self, callback: Callback) -> list[Report]:
        return []


@dataclass
class _Pool:
    """The connections of one batch: when one cannot be made while others are open, its letter goes back
    to them; when none can be, every waiting letter carries the reason."""

    alive: int

    def lost(self, failure: SendResult, item: tuple, waiting: deque, results: list) -> None:
        if self.alive > 1 and not (isinstance(failure, Retryable) and failure.fatal):
            waiting.appendleft(item)
            return
        results[item[0]] = failure
        while waiting:
            results[waiting.popleft()[0]] = failure


async def _reset(client: aiosmtplib.SMTP) -> None:
    try:
        await client.rset()
    except SMTPException:
        client.close()


async def _quit(client: aiosmtplib.SMTP | None) -> None:
    if client is None or not client.is_connected:
        return
    try:
        await client.quit()
    except (SMTPException, OSError):
        client.close()
