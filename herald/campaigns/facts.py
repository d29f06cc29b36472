"""Recipient facts for a batch of contacts, gathered in four queries whatever the batch size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, tuple_
from sqlalchemy.orm import Session

from herald.contacts.models import Consent, Contact, Suppression
from herald.outbox import queries as outbox_queries
from herald.rules import ConsentFact, Recipient, SendFact
from herald.types import Channel, Purpose

SEND_HISTORY = timedelta(days=35)


def addresses(contact: Contact) -> dict[Channel, str]:
    found = {Channel.EMAIL: contact.email, Channel.SMS: contact.phone, Channel.WHATSAPP: contact.phone}
    return {k: v for k, v in found.items() if v}


def timezones(contact: Contact) -> tuple[str, ...]:
    """The contact's own zone when known, else every zone its number may be in."""
    if contact.timezone:
        return (contact.timezone,)
    return tuple(z for z in (contact.phone_timezones or "").split(",") if z)


def load_recipients(session: Session, contact_ids: Sequence[int], now: datetime) -> dict[int, Recipient]:
    """Recipient facts keyed by contact id, as of `now`."""
    contacts = list(session.scalars(select(Contact).where(Contact.id.in_(contact_ids))))
    consents = _consents(session, contact_ids)
    suppressed = _suppressions(session, contacts, now)
    sends = defaultdict(list)
    for cid, channel, purpose, at in outbox_queries.recent_sends(session, contact_ids, now - SEND_HISTORY):
        if channel:
            sends[cid].append(SendFact(Channel(channel), Purpose(purpose), at))
    result = {}
    for c in contacts:
        addr = addresses(c)
        result[c.id] = Recipient(
            contact_id=c.id, addresses=addr, timezones=timezones(c), region=c.region, line_type=c.line_type,
            consents=tuple(consents[c.id]), sends=tuple(sends[c.id]),
            suppressions={ch: suppressed[(ch.value, a)] for ch, a in addr.items() if (ch.value, a) in suppressed},
        )
    return result


def _consents(session: Session, contact_ids: Sequence[int]) -> dict[int, list[ConsentFact]]:
    found: dict[int, list[ConsentFact]] = defaultdict(list)
    for row in session.scalars(select(Consent).where(Consent.contact_id.in_(contact_ids))):
        found[row.contact_id].append(ConsentFact(Channel(row.channel), Purpose(row.purpose), row.status,
                                                 row.recorded_at))
    return found


def _suppressions(session: Session, contacts: Sequence[Contact], now: datetime) -> dict[tuple[str, str], str]:
    pairs = {(ch.value, a) for c in contacts for ch, a in addresses(c).items()}
    if not pairs:
        return {}
    stmt = select(Suppression.channel, Suppression.address, Suppression.reason).where(
        tuple_(Suppression.channel, Suppression.address).in_(pairs),
        or_(Suppression.expires_at.is_(None), Suppression.expires_at > now),
    )
    return {(ch, a): reason for ch, a, reason in session.execute(stmt)}
