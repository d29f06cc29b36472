"""Recipient facts for a batch of contacts, gathered in four queries whatever the batch size, as plain rows
(no ORM objects: planning a million recipients must not build a million of them). Equal facts are shared
objects, which keeps memory small and lets the planner's decision memory recognize them cheaply."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, func, or_, select, tuple_
from sqlalchemy.orm import Session

from herald.contacts.models import Consent, Contact, Suppression
from herald.outbox import queries as outbox_queries
from herald.rules import ConsentFact, Recipient, SendFact
from herald.rules.usage import Usage
from herald.types import Channel, Purpose

SEND_HISTORY = timedelta(days=35)
USAGE_HISTORY = timedelta(days=1)
CONTACT_COLUMNS = (Contact.id, Contact.phone, Contact.email, Contact.timezone, Contact.phone_timezones,
                   Contact.region, Contact.line_type, Contact.attributes)


def addresses(phone: str | None, email: str | None) -> dict[Channel, str]:
    found = {Channel.EMAIL: email, Channel.SMS: phone, Channel.WHATSAPP: phone}
    return {k: v for k, v in found.items() if v}


def timezones(own: str | None, derived: str | None) -> tuple[str, ...]:
    """The contact's own zone when known, else every zone its number may be in."""
    if own:
        return (own,)
    return tuple(z for z in (derived or "").split(",") if z)


def lifecycle(attributes: dict | None) -> str | None:
    """The contact's lifecycle stage as recorded on it."""
    attrs = attributes or {}
    return attrs.get("lifecycle") or attrs.get("stage") or None


class Interner:
    """Hands back one shared object for equal values, across batches."""

    def __init__(self) -> None:
        self.seen: dict = {}

    def __call__(self, value):
        return self.seen.setdefault(value, value)


def load_recipients(session: Session, contact_ids: Sequence[int], now: datetime,
                    intern: Interner | None = None) -> dict[int, Recipient]:
    """Recipient facts keyed by contact id, as of `now`."""
    intern = intern or Interner()
    rows = session.execute(select(*CONTACT_COLUMNS).where(Contact.id.in_(contact_ids))).all()
    consents = _consents(session, contact_ids, intern)
    suppressed = _suppressions(session, rows, now)
    sends = defaultdict(list)
    for cid, channel, purpose, at in outbox_queries.recent_sends(session, contact_ids, now - SEND_HISTORY):
        if channel:
            sends[cid].append(SendFact(Channel(channel), Purpose(purpose), at))
    result = {}
    for cid, phone, email, own_zone, derived, region, line, attrs in rows:
        addr = addresses(phone, email)
        result[cid] = Recipient(
            contact_id=cid, addresses=addr, timezones=intern(timezones(own_zone, derived)), region=region,
            line_type=line, consents=intern(tuple(consents[cid])), sends=tuple(sends[cid]),
            lifecycle=lifecycle(attrs),
            suppressions={ch: suppressed[(ch.value, a)] for ch, a in addr.items() if (ch.value, a) in suppressed},
        )
    return result


def _consents(session: Session, contact_ids: Sequence[int], intern: Interner) -> dict[int, list[ConsentFact]]:
    found: dict[int, list[ConsentFact]] = defaultdict(list)
    stmt = select(Consent.contact_id, Consent.channel, Consent.purpose, Consent.status, Consent.recorded_at,
                  Consent.source, Consent.has_evidence).where(Consent.contact_id.in_(contact_ids))
    for cid, channel, purpose, status, at, source, evidence in session.execute(stmt):
        found[cid].append(intern(ConsentFact(Channel(channel), Purpose(purpose), status, at, source, bool(evidence))))
    return found


def _suppressions(session: Session, rows: Sequence, now: datetime) -> dict[tuple[str, str], str]:
    pairs = {(ch.value, a) for r in rows for ch, a in addresses(r.phone, r.email).items()}
    if not pairs:
        return {}
    stmt = select(Suppression.channel, Suppression.address, Suppression.reason).where(
        tuple_(Suppression.channel, Suppression.address).in_(pairs),
        or_(Suppression.expires_at.is_(None), Suppression.expires_at > now),
    )
    return {(ch, a): reason for ch, a, reason in session.execute(stmt)}


def load_usage(session: Session, now: datetime, planned: bool) -> Usage:
    """The senders' usage from the ledger: what was sent or is in flight in the last day, and with `planned`
    what is queued or held for later too (the planner places new messages around it); plus each channel's
    failure rate over the last day."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for buckets, at in outbox_queries.bucket_use(session, now - USAGE_HISTORY, planned):
        for bucket in buckets.split(","):
            times[bucket].append(at if at.tzinfo else at.replace(tzinfo=UTC))
    return Usage(times, outbox_queries.failure_rates(session, now - USAGE_HISTORY))


def contact_counts_by(session: Session, ids_select, column) -> list[tuple]:
    """Audience members counted by a contact column (region, for cost estimates)."""
    sub = ids_select.order_by(None).subquery()
    return session.execute(select(column, func.count()).where(and_(Contact.id.in_(select(sub))))
                           .group_by(column)).all()
