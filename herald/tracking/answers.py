"""The answers Herald owes people who wrote in (STOP and START confirmations, the HELP text): queued by
the reactions, sent by the worker from the number they wrote to, and recorded with the vendor's answer.
A vendor that cannot take one now is asked again on the worker's next round, three times at most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from herald.db import UnitOfWork
from herald.tracking.models import Reply

TRIES = 3


@dataclass(frozen=True)
class Owed:
    """An answer to send."""

    id: int
    account: str
    channel: str
    address: str
    sender: str | None
    body: str


def answers_due(uow: UnitOfWork, limit: int = 100) -> list[Owed]:
    """The queued answers, oldest first."""
    stmt = select(Reply).where(Reply.status == "queued").order_by(Reply.created_at, Reply.id).limit(limit)
    return [Owed(r.id, r.account, r.channel, r.address, r.sender, r.body) for r in uow.session.scalars(stmt)]


def answer_sent(uow: UnitOfWork, reply_id: int, provider_message_id: str, now: datetime) -> None:
    """The vendor took the answer."""
    reply = uow.session.get(Reply, reply_id)
    if reply is not None:
        reply.status, reply.provider_message_id, reply.sent_at = "sent", provider_message_id, now
        reply.attempts += 1


def answer_failed(uow: UnitOfWork, reply_id: int, error: str, again: bool) -> None:
    """The vendor did not take it: queued again while `again` and tries are left, else failed."""
    reply = uow.session.get(Reply, reply_id)
    if reply is not None:
        reply.attempts += 1
        reply.error = error[:500]
        reply.status = "queued" if again and reply.attempts < TRIES else "failed"
