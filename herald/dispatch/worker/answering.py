"""The worker's answers to the world outside its campaigns: the replies owed to people who wrote in
(STOP and START confirmations, HELP), and the events the business's webhooks subscribed to. A base of
`Worker`, which sets these."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Protocol

import aiohttp

from herald import tracking
from herald.clock import Clock
from herald.db import UnitOfWork
from herald.dispatch.worker.stats import WorkerStats
from herald.providers import (
    Accepted,
    Outgoing,
    Permanent,
    Provider,
    Retryable,
    Routing,
    SendResult,
    signature,
    signing_key,
)


class Notice(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def address(self) -> str: ...

    @property
    def subject(self) -> str: ...

    @property
    def body(self) -> str: ...


class NoticeQueue(Protocol):
    """Alerts to e-mail: taken when due, then recorded sent or failed (the analytics room's queue)."""

    def due(self, uow: UnitOfWork, now: datetime) -> Sequence[Notice]: ...

    def sent(self, uow: UnitOfWork, notice_id: int, provider: str, now: datetime) -> None: ...

    def failed(self, uow: UnitOfWork, notice_id: int, error: str, again: bool, now: datetime) -> None: ...


class Answers:
    uow: Callable[[], UnitOfWork]
    clock: Clock
    stats: WorkerStats
    providers: Mapping[str, Provider]
    routing: Routing
    notices: NoticeQueue | None

    async def _notify(self) -> None:
        """E-mail the alerts due to be told, through the e-mail route's first account."""
        if self.notices is None:
            return
        with self.uow() as uow:
            due = self.notices.due(uow, self.clock.now())
        for notice in due:
            account = self.routing.first("email", None)
            provider = self.providers.get(account) if account else None
            if account is None or provider is None:
                result: SendResult = Permanent("no provider account carries email; see [routing] in docs/providers.md")
            else:
                out = Outgoing(0, f"alert-notice-{notice.id}", "email", notice.address, notice.body, notice.subject)
                result = await _send_one(provider, replace(out, purpose="transactional"))
            with self.uow() as uow:
                if isinstance(result, Accepted):
                    self.notices.sent(uow, notice.id, account or "", self.clock.now())
                else:
                    why, again = getattr(result, "reason", "?"), isinstance(result, Retryable)
                    self.notices.failed(uow, notice.id, why, again, self.clock.now())

    async def _deliver(self) -> None:
        """Deliver the events the business's webhooks subscribed to, signed; the endpoints' answers are
        recorded (a failure is tried again later: `tracking.outbound`)."""
        with self.uow() as uow:
            due = tracking.deliveries_due(uow, self.clock.now())
        if not due:
            return
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            answers = await asyncio.gather(*(_post(session, d) for d in due))
        with self.uow() as uow:
            now = self.clock.now()
            for d, (status, error) in zip(due, answers, strict=True):
                if error is None:
                    tracking.delivered(uow, d.id, status or 200, now)
                    self.stats.webhooks += 1
                else:
                    tracking.not_delivered(uow, d.id, status, error, now)

    async def _answer(self) -> None:
        """Send the answers owed to people who wrote in (STOP and START confirmations, HELP), each from
        the account and number they wrote to."""
        with self.uow() as uow:
            owed = tracking.answers_due(uow, self.clock.now())
        for reply in owed:
            provider = self.providers.get(reply.account)
            if provider is None:
                result: SendResult = Permanent(f"provider account {reply.account} is no longer configured")
            else:
                out = Outgoing(0, f"reply-{reply.id}", reply.channel, reply.address, reply.body, sender=reply.sender)
                try:
                    result = (await provider.send([out]))[0]
                except Exception as exc:  # the vendor's trouble: asked again on the next round
                    result = Retryable(f"provider error: {type(exc).__name__}")
            with self.uow() as uow:
                if isinstance(result, Accepted):
                    tracking.answer_sent(uow, reply.id, result.provider_message_id, self.clock.now())
                    self.stats.answered += 1
                else:
                    tracking.answer_failed(uow, reply.id, getattr(result, "reason", "?"), isinstance(result, Retryable))


async def _send_one(provider: Provider, out: Outgoing) -> SendResult:
    try:
        return (await provider.send([out]))[0]
    except Exception as exc:  # the vendor's trouble: asked again on the next round
        return Retryable(f"provider error: {type(exc).__name__}")


async def _post(session: aiohttp.ClientSession, due: tracking.Due) -> tuple[int | None, str | None]:
    """Post one delivery, signed the Standard Webhooks way: (its HTTP status, why it failed or None)."""
    body = json.dumps(due.payload, ensure_ascii=False, default=str).encode()
    wid, stamp = f"msg_{due.id}", int(time.time())
    headers = {
        "content-type": "application/json",
        "webhook-id": wid,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature(signing_key(due.secret), wid, stamp, body),
    }
    try:
        async with session.post(due.url, data=body, headers=headers) as answer:
            if 200 <= answer.status < 300:
                return answer.status, None
            return answer.status, f"the endpoint answered {answer.status}"
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return None, f"no answer: {type(exc).__name__}"
