"""Read-side queries over `messages` for the planner, the worker and reports."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from herald.access import sealer_of
from herald.contacts import Consent, Contact, Suppression
from herald.content import Template
from herald.outbox.models import Message
from herald.types import MessageStatus as S

SEND_TIME = func.coalesce(Message.sent_at, Message.updated_at)  # when a sent or in-flight message went


def sends_since(since: datetime) -> CompoundSelect[int, str | None, str, datetime]:
    """(contact_id, channel, purpose, when) of everyone's sends the rules still count: sent since `since`
    (through the partial send-time index) or in flight now (handed to a provider, no send time yet; through
    the queue's index). The read grows with the recent traffic, not with the ledger."""
    columns = (Message.contact_id, Message.channel, Message.purpose, SEND_TIME.label("at"))
    return union_all(
        select(*columns).where(Message.sent_at >= since),
        select(*columns).where(Message.status == S.INFLIGHT, Message.sent_at.is_(None)),
    )


def sent_since(since: datetime) -> ColumnElement[bool]:
    """A message sent since `since` or in flight now, as a test of a contact's rows. One CASE, which no
    index can serve: asked as a plain condition on the status, SQLite (without statistics) answered from
    the queue's (status, due) index, reading every message ever sent. So the contact index is used, and
    the test is made on its (contact, status, send time) entries before any row is read."""
    recent = case(
        (Message.status == S.INFLIGHT, 1), (and_(Message.status == S.SENT, Message.sent_at >= since), 1), else_=0
    )
    return recent == 1


def recent_sends(
    session: Session, contacts: Sequence[int] | Callable[[Any], ColumnElement[bool]], since: datetime
) -> list[tuple[int, str, str, datetime]]:
    """(contact_id, channel, purpose, when) for messages sent since `since` or in flight now, of the given
    contacts (ids, or a function making the condition on a contact id column)."""
    which = contacts(Message.contact_id) if callable(contacts) else Message.contact_id.in_(contacts)
    stmt = select(Message.contact_id, Message.channel, Message.purpose, SEND_TIME).where(which, sent_since(since))
    return [(cid, str(channel), purpose, at) for cid, channel, purpose, at in session.connection().execute(stmt)]


def for_campaign_contact(session: Session, campaign_id: int, contact_id: int) -> Message | None:
    """The contact's message in the campaign's latest run that reached them."""
    return session.scalar(
        select(Message)
        .where(Message.campaign_id == campaign_id, Message.contact_id == contact_id)
        .order_by(Message.run.desc())
        .limit(1)
    )


def count_due(session: Session, now: datetime) -> int:
    """Rows a worker could claim now."""
    due = or_(
        and_(Message.status == S.QUEUED, Message.due_at <= now),
        and_(Message.status == S.CLAIMED, Message.lease_until < now),
    )
    return session.scalar(select(func.count()).select_from(Message).where(due)) or 0


PLANNED = (S.QUEUED, S.HELD, S.CLAIMED)


def bucket_use(session: Session, since: datetime, planned: bool) -> list[tuple[str, str | None, datetime]]:
    """(channel, buckets, when) of every message on a channel: sent or in flight since `since`, and with
    `planned` those queued, held or claimed too (at their due time). Every message uses its channel's
    sender, whichever campaign sent it and whether or not that campaign capped it; `buckets` names the
    other shared allowances it uses. The dispatcher asks before every batch, so both reads go through an
    index to the recent rows, never through the whole history."""
    sent = select(Message.channel, Message.buckets, Message.sent_at).where(
        Message.sent_at >= since, Message.channel.is_not(None)
    )
    statuses = (S.INFLIGHT, *PLANNED) if planned else (S.INFLIGHT,)
    waiting = select(Message.channel, Message.buckets, Message.due_at).where(
        Message.status.in_(statuses), Message.due_at >= since, Message.channel.is_not(None), Message.sent_at.is_(None)
    )
    rows = [row for stmt in (sent, waiting) for row in session.execute(stmt)]
    return [(str(channel), buckets, cast(datetime, at)) for channel, buckets, at in rows]  # both read timed rows


FAILED: ColumnElement[str] = literal_column(f"'{S.FAILED.value}'")  # as the partial index ix_messages_failed says it


def failure_rates(session: Session, since: datetime) -> dict[str, float]:
    """Per channel: failed / (sent + failed) among messages settled since `since`."""
    sent = (
        select(Message.channel, func.count())
        .where(Message.sent_at >= since, Message.channel.is_not(None))
        .group_by(Message.channel)
    )
    failed = (
        select(Message.channel, func.count())
        .where(Message.status == FAILED, Message.updated_at >= since, Message.channel.is_not(None))
        .group_by(Message.channel)
    )
    counts = {str(channel): [n, 0] for channel, n in session.execute(sent)}
    for channel, n in session.execute(failed):
        counts.setdefault(str(channel), [0, 0])[1] = n
    return {ch: bad / (good + bad) for ch, (good, bad) in counts.items()}


def addresses_taken(session: Session, campaign_id: int, run: int, addresses: Sequence[str]) -> dict[str, int]:
    """Address -> contact of messages of this campaign run already planned to one of these addresses."""
    if not addresses:
        return {}
    stmt = select(Message.address, Message.contact_id).where(
        Message.campaign_id == campaign_id,
        Message.run == run,
        Message.address.in_(addresses),
        Message.status != S.SKIPPED,
    )
    return {str(address): cid for address, cid in session.execute(stmt)}


def leased(session: Session, now: datetime, campaign_id: int | None = None) -> tuple[int, datetime | None]:
    """Messages claimed or in flight under a lease that has not run out (held by a running worker, or by one
    that stopped without handing them back), and when the last of those leases ends."""
    where = [Message.status.in_((S.CLAIMED, S.INFLIGHT)), Message.lease_until >= now]
    if campaign_id is not None:
        where.append(Message.campaign_id == campaign_id)
    count, until = session.execute(select(func.count(), func.max(Message.lease_until)).where(*where)).one()
    return count or 0, until


def units_sent(session: Session, since: datetime) -> list[tuple[str, str | None, str | None, str | None, int]]:
    """(channel, region, provider, category, units) of what went out since `since` — the volume a price
    table's tiers and rebates count from. Messages from before units were recorded count one each."""
    units = func.sum(func.coalesce(Message.units, 1))
    stmt = (
        select(Message.channel, Contact.region, Message.provider, Template.category, units)
        .join(Contact, Contact.id == Message.contact_id)
        .outerjoin(Template, Template.id == Message.template_id)
        .where(Message.sent_at >= since, Message.channel.is_not(None))
        .group_by(Message.channel, Contact.region, Message.provider, Template.category)
    )
    return [
        (str(ch), region, provider, category, int(n)) for ch, region, provider, category, n in session.execute(stmt)
    ]


def keys_taken(session: Session, keys: Sequence[str]) -> set[str]:
    """The idempotency keys among these that a message holds already (through their unique index)."""
    if not keys:
        return set()
    return set(session.scalars(select(Message.idempotency_key).where(Message.idempotency_key.in_(keys))))


def breakdown(session: Session, campaign_id: int) -> list[tuple[str, str | None, str | None, int]]:
    """(status, reason, channel, count) for every message of the campaign."""
    stmt = (
        select(Message.status, Message.reason, Message.channel, func.count())
        .where(Message.campaign_id == campaign_id)
        .group_by(Message.status, Message.reason, Message.channel)
    )
    return [(str(status), reason, channel, int(n)) for status, reason, channel, n in session.execute(stmt)]


def pending(session: Session, campaign_id: int, include_held: bool = True) -> int:
    """Messages of the campaign not settled yet (queued, claimed or in flight, and held ones unless told)."""
    statuses = (*PLANNED, S.INFLIGHT) if include_held else (S.QUEUED, S.CLAIMED, S.INFLIGHT)
    stmt = (
        select(func.count())
        .select_from(Message)
        .where(Message.campaign_id == campaign_id, Message.status.in_(statuses))
    )
    return session.scalar(stmt) or 0


def sample_trails(session: Session, campaign_id: int, status: str, reason: str | None, limit: int = 3) -> list[Message]:
    stmt = select(Message).where(Message.campaign_id == campaign_id, Message.status == status)
    if reason is not None:
        stmt = stmt.where(Message.reason == reason)
    return list(session.scalars(stmt.order_by(Message.id).limit(limit)))


def settled_counts(session: Session, campaign_id: int) -> tuple[int, int, int]:
    """(delivered or not yet known, failed, opted out since their message) for the campaign so far: a
    rollout's guardrails. A message its vendor later reported undelivered counts as failed. An opt-out is
    a consent withdrawn on the message's channel, or its address suppressed as an opt-out or complaint,
    after the message went."""
    mine = and_(Message.campaign_id == campaign_id, Message.status == S.SENT)
    lost = Message.delivery.in_(("undelivered", "failed"))
    revoked = exists().where(
        Consent.contact_id == Message.contact_id,
        Consent.channel == Message.channel,
        Consent.status == "revoked",
        Consent.recorded_at >= Message.sent_at,
    )
    suppressed = exists().where(
        Suppression.channel == Message.channel,
        Suppression.address == Message.address,
        Suppression.reason.in_(OPT_OUTS),
        Suppression.created_at >= Message.sent_at,
    )
    count = select(func.count()).select_from(Message)
    went = session.scalar(count.where(mine)) or 0
    lost_after = session.scalar(count.where(mine, lost)) or 0
    failed = session.scalar(count.where(Message.campaign_id == campaign_id, Message.status == S.FAILED)) or 0
    opted = session.scalar(count.where(mine, or_(revoked, suppressed))) or 0
    return went - lost_after, failed + lost_after, opted


# Suppression reasons that are a person's own opt-out: listed by hand, a reply's STOP, a complaint.
OPT_OUTS = ("opt-out", "opted out", "complaint")


def rejections(session: Session, contact_id: int, channel: str, address: str) -> int:
    """How many messages to this contact's address on this channel providers refused for good."""
    stmt = (
        select(func.count())
        .select_from(Message)
        .where(
            Message.contact_id == contact_id,
            Message.channel == channel,
            Message.address == sealer_of(session).channel_key(channel, address),
            Message.status == S.FAILED,
            Message.reason == "rejected",
        )
    )
    return session.scalar(stmt) or 0


def unknown_to_ask(
    session: Session, providers: Collection[str], since: datetime, before: datetime, limit: int = 500
) -> list[tuple[int, str, str, datetime]]:
    """(id, provider, address, since) of messages left unknown between `since` and `before` through these
    providers, oldest first: what the worker asks vendors that keep records about."""
    left = Message.updated_at
    stmt = (
        select(Message.id, Message.provider, Message.address, Message.address_sealed, Message.updated_at)
        .where(Message.status == S.UNKNOWN, Message.provider.in_(list(providers)), left >= since, left <= before)
        .order_by(Message.updated_at, Message.id)
        .limit(limit)
    )
    sealer = sealer_of(session)
    return [
        (r.id, r.provider, str(sealer.open_address(r.address, r.address_sealed)), r.updated_at)
        for r in session.execute(stmt)
    ]


def unknown_messages(session: Session, limit: int = 100) -> list[dict[str, Any]]:
    """Messages a provider may have delivered without saying so (no answer, or a worker lost mid-send),
    oldest first: what an operator settles with `herald messages resolve`."""
    stmt = select(Message).where(Message.status == S.UNKNOWN).order_by(Message.updated_at, Message.id).limit(limit)
    return [
        {
            "id": m.id,
            "campaign": m.campaign_id,
            "contact": m.contact_id,
            "channel": m.channel,
            "address": m.address,
            "provider": m.provider,
            "reason": m.reason,
            "error": m.error,
            "since": m.updated_at,
        }
        for m in session.scalars(stmt)
    ]


def answered(
    session: Session, account: str, vendor_id: str | None, contact_id: int | None, channel: str, since: datetime
) -> int | None:
    """Herald's message a person's reply answers: the one the vendor names (WhatsApp's context, Twilio's
    OriginalRepliedMessageSid), else the last one sent to the contact on the channel since `since`."""
    if vendor_id:
        named = session.scalar(
            select(Message.id).where(Message.provider == account, Message.provider_message_id == vendor_id).limit(1)
        )
        if named is not None:
            return named
    if contact_id is None:
        return None
    last = (
        select(Message.id)
        .where(Message.contact_id == contact_id, Message.status == S.SENT, Message.sent_at >= since)
        .where(Message.channel == channel)
        .order_by(Message.sent_at.desc())
        .limit(1)
    )
    return session.scalar(last)
