"""The worker's side of the queue: claiming due messages under a lease, and every change a claim makes,
fenced by its lease token.

Claiming is one statement on both databases:
    UPDATE messages SET status='claimed', lease_token=…, lease_until=…
    WHERE id IN (SELECT id … ORDER BY id LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …
SQLAlchemy drops SKIP LOCKED on SQLite, where the single writer makes the statement atomic anyway.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Update, and_, or_, select, update

from herald.db import UnitOfWork, rowcount
from herald.outbox.models import Message
from herald.types import MessageStatus as S


@dataclass(frozen=True)
class Claimed:
    """A claimed row as the worker needs it; `token` fences every result write."""

    id: int
    token: str
    campaign_id: int | None
    contact_id: int
    template_id: int | None
    purpose: str
    channel: str | None
    attempts: int
    variant: str | None = None
    run: int = 0
    due_at: datetime | None = None  # when it was due (at its first try: when it was planned to go)
    expires_at: datetime | None = None  # set once a retry has fixed when it stops being worth sending
    avoid: frozenset[str] = frozenset()  # channels a provider said cannot reach the person: fall back past them


def mark_stopped(uow: UnitOfWork, message_id: int, token: str, cancelled: bool, now: datetime) -> bool:
    """A claimed message whose campaign was paused meanwhile goes back to wait, unsent; one whose campaign
    was cancelled is cancelled."""
    values = dict(status=S.CANCELLED, reason="cancelled") if cancelled else dict(status=S.HELD, held="paused")
    stmt = fenced(message_id, token, S.CLAIMED).values(**values, updated_at=now, lease_token=None, lease_until=None)
    return rowcount(uow.session.execute(stmt)) == 1


def hand_back(uow: UnitOfWork, claims: Iterable[tuple[int, str]], now: datetime) -> int:
    """Messages a stopping worker claimed and never handed to a provider go back to the queue at once,
    instead of waiting out the lease; those it marked in flight stay, for reconciliation."""
    claims = list(claims)
    if not claims:
        return 0
    ids, tokens = zip(*claims, strict=True)
    stmt = (
        update(Message)
        .where(Message.id.in_(ids), Message.lease_token.in_(set(tokens)), Message.status == S.CLAIMED)
        .values(status=S.QUEUED, lease_token=None, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(uow.session.execute(stmt))


def claim_batch(uow: UnitOfWork, limit: int, now: datetime, lease: timedelta) -> list[Claimed]:
    """Claim up to `limit` due rows (and rows whose claim expired before they were sent)."""
    token = str(uuid.uuid4())
    due = or_(
        and_(Message.status == S.QUEUED, Message.due_at <= now),
        and_(Message.status == S.CLAIMED, Message.lease_until < now),
    )
    ids = select(Message.id).where(due).order_by(Message.id).limit(limit).with_for_update(skip_locked=True)
    stmt = (
        update(Message)
        .where(Message.id.in_(ids.scalar_subquery()))
        .values(status=S.CLAIMED, lease_token=token, lease_until=now + lease, updated_at=now)
        .returning(
            Message.id,
            Message.campaign_id,
            Message.contact_id,
            Message.template_id,
            Message.purpose,
            Message.channel,
            Message.attempts,
            Message.variant,
            Message.run,
            Message.due_at,
            Message.expires_at,
            Message.avoid,
        )
        .execution_options(synchronize_session=False)
    )
    rows = uow.session.execute(stmt).all()
    return sorted(
        (
            Claimed(
                r.id,
                token,
                r.campaign_id,
                r.contact_id,
                r.template_id,
                r.purpose,
                r.channel,
                r.attempts,
                r.variant,
                r.run,
                r.due_at,
                r.expires_at,
                frozenset(filter(None, (r.avoid or "").split(","))),
            )
            for r in rows
        ),
        key=lambda c: c.id,
    )


def fenced(message_id: int, token: str, *statuses: S) -> Update:
    """An update of the message that takes only while the claim holds: its lease token, in one of `statuses`."""
    return (
        update(Message)
        .where(Message.id == message_id, Message.lease_token == token, Message.status.in_(statuses))
        .execution_options(synchronize_session=False)
    )


def mark_inflight(
    uow: UnitOfWork,
    message_id: int,
    token: str,
    channel: str,
    address: str,
    provider: str,
    now: datetime,
    trail: list[Any] | None = None,
    buckets: str | None = None,
    units: int = 1,
    sender: str | None = None,
    sealed: str | None = None,
) -> bool:
    """Record that the provider is about to be called, with the send-time trail, the allowances it uses,
    the units it is billed in (SMS segments) and the sender it goes from (`address` as stored, and its
    sealed copy when personal data is sealed at rest); False when the lease was lost."""
    values: dict[str, Any] = dict(
        status=S.INFLIGHT,
        channel=channel,
        address=address,
        address_sealed=sealed,
        provider=provider,
        attempts=Message.attempts + 1,
        updated_at=now,
        buckets=buckets,
        units=units,
        sender=sender,
        given_at=None,  # each attempt is given anew: until then an opt-out may stop it
    )
    if trail is not None:
        values["send_trail"] = trail
    stmt = fenced(message_id, token, S.CLAIMED).values(**values)
    return rowcount(uow.session.execute(stmt)) == 1


def reconcile_expired(uow: UnitOfWork, now: datetime, resend_safe: set[str]) -> int:
    """Settle rows whose worker vanished mid-send: requeue those whose provider de-duplicates by
    idempotency key, park the rest as `unknown` for a person to check. Returns rows touched."""
    expired = and_(Message.status == S.INFLIGHT, Message.lease_until < now)
    cleared = dict(lease_token=None, lease_until=None, updated_at=now)
    requeue = (
        update(Message)
        .where(expired, Message.provider.in_(resend_safe))
        .values(status=S.QUEUED, due_at=now, **cleared)
        .execution_options(synchronize_session=False)
    )
    park = (
        update(Message)
        .where(expired)
        .values(status=S.UNKNOWN, reason="crashed_inflight", **cleared)
        .execution_options(synchronize_session=False)
    )
    touched = rowcount(uow.session.execute(requeue)) if resend_safe else 0
    return touched + rowcount(uow.session.execute(park))


def give(uow: UnitOfWork, claims: Sequence[tuple[int, str]], now: datetime) -> set[int]:
    """Mark these in-flight messages as given to their provider now; the ids that may go. One an opt-out
    stopped a moment before (`stop_in_flight`) is not among them: the two are serialized by the database,
    so a message is either given before the opt-out was recorded or never given at all."""
    found: set[int] = set()
    for start in range(0, len(claims), 500):
        chunk = claims[start : start + 500]
        stmt = (
            update(Message)
            .where(
                Message.id.in_([i for i, _ in chunk]),
                Message.lease_token.in_({t for _, t in chunk}),
                Message.status == S.INFLIGHT,
                Message.given_at.is_(None),
            )
            .values(given_at=now)
            .returning(Message.id, Message.lease_token)
            .execution_options(synchronize_session=False)
        )
        wanted = set(chunk)
        found.update(i for i, t in uow.session.execute(stmt) if (i, t) in wanted)
    return found


def stop_in_flight(
    uow: UnitOfWork, contact_id: int, channels: Collection[str], marketing: bool, reason: str, now: datetime
) -> int:
    """Stop the contact's messages a worker has prepared but not yet given to a provider: those on
    `channels`, and with `marketing` every marketing one. An opt-out calls it after taking the contact's
    lock, so none of them goes after it is recorded."""
    which: ColumnElement[bool] = Message.channel.in_(list(channels))
    if marketing:
        which = or_(which, Message.purpose == "marketing")
    stmt = (
        update(Message)
        .where(Message.contact_id == contact_id, Message.status == S.INFLIGHT, Message.given_at.is_(None), which)
        .values(status=S.SKIPPED, reason="opted_out", error=reason, lease_token=None, lease_until=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(uow.session.execute(stmt))
