"""The answers Herald owes people who wrote in (STOP and START confirmations, the HELP text): queued by
the reactions, sent by the worker from the number they wrote to, and recorded with the vendor's answer.
A vendor that cannot take one now is asked again on the worker's next round, three times at most."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from herald.access import sealer_of
from herald.db import UnitOfWork
from herald.tracking.models import QUEUED, Reply

TRIES = 3
STUCK = timedelta(minutes=10)


@dataclass(frozen=True)
class Owed:
    """An answer to send."""

    id: int
    account: str
    channel: str
    address: str
    sender: str | None
    body: str


def answers_due(uow: UnitOfWork, now: datetime, limit: int = 100) -> list[Owed]:
    """Take the queued answers to send, oldest first: each is taken by one worker alone (marked `sending`
    in the same statement that reads it). One taken by a worker that died is taken again after
    STUCK — it may then reach the person twice, which beats never."""
    due = (
        select(Reply.id)
        .where(QUEUED, or_(Reply.status == "queued", and_(Reply.status == "sending", Reply.claimed_at < now - STUCK)))
        .order_by(Reply.created_at, Reply.id)
        .limit(limit)
    )
    ids = list(uow.session.scalars(due))
    if not ids:
        return []
    taken = (
        update(Reply)
        .where(Reply.id.in_(ids), or_(Reply.status == "queued", Reply.claimed_at < now - STUCK))
        .values(status="sending", claimed_at=now)
        .returning(
            Reply.id, Reply.account, Reply.channel, Reply.address, Reply.sender, Reply.body, Reply.address_sealed
        )
        .execution_options(synchronize_session=False)
    )
    opened = sealer_of(uow.session).open_address  # the number itself, when sealed at rest
    owed = [
        Owed(i, account, ch, str(opened(a, sealed)), sender, body)
        for i, account, ch, a, sender, body, sealed in uow.session.execute(taken)
    ]
    return sorted(owed, key=lambda o: o.id)


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
