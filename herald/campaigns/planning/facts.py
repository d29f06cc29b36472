"""Recipient facts for a batch of contacts, gathered in a fixed number of queries whatever the batch size
(contacts, consents, suppressions, the allow-list, recent sends), as plain rows
(no ORM objects: planning a million recipients must not build a million of them). Equal facts are shared
objects, which keeps memory small and lets the planner's decision memory recognize them cheaply."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Text, or_, select, true, type_coerce
from sqlalchemy.orm import Session

from herald import outbox
from herald.contacts import AllowedAddress, Consent, Contact, Suppression
from herald.rules import ConsentFact, Recipient, SendFact, Usage, sender_bucket
from herald.types import Channel, Purpose

SEND_HISTORY = timedelta(days=35)
DENSE = 4  # an id range at most this many times the batch is read as a range
USAGE_HISTORY = timedelta(days=1)
# Attributes come as text on SQLite and are parsed only when they may hold a lifecycle stage.
CONTACT_COLUMNS = (
    Contact.id,
    Contact.phone,
    Contact.email,
    Contact.timezone,
    Contact.phone_timezones,
    Contact.region,
    Contact.line_type,
    type_coerce(Contact.attributes, Text),
    Contact.whatsapp_inbound_at,
)
EMAIL, SMS, WHATSAPP = Channel.EMAIL, Channel.SMS, Channel.WHATSAPP


def addresses(phone: str | None, email: str | None) -> dict[Channel, str]:
    found = {SMS: phone, WHATSAPP: phone} if phone else {}
    if email:
        found[EMAIL] = email
    return found


def timezones(own: str | None, derived: str | None) -> tuple[str, ...]:
    """The contact's own zone when known, else every zone its number may be in."""
    if own:
        return (own,)
    return tuple(z for z in (derived or "").split(",") if z)


def lifecycle(attributes: dict | str | None) -> str | None:
    """The contact's lifecycle stage as recorded on it."""
    if isinstance(attributes, str):
        if '"lifecycle"' not in attributes and '"stage"' not in attributes:
            return None
        attrs = json.loads(attributes)
    else:
        attrs = attributes or {}
    return attrs.get("lifecycle") or attrs.get("stage") or None


class Interner:
    """Hands back one shared object for equal values, across batches."""

    def __init__(self) -> None:
        self.seen: dict = {}

    def __call__(self, value):
        return self.seen.setdefault(value, value)

    def made(self, key: tuple, make):
        """The shared object for `key`, made once."""
        found = self.seen.get(key)
        if found is None:
            found = self.seen[key] = make()
        return found


def load_recipients(
    session: Session, contact_ids: Sequence[int], now: datetime, intern: Interner | None = None
) -> dict[int, Recipient]:
    """Recipient facts keyed by contact id, as of `now`. Ids in order and dense (a planner's batch) are
    read as an id range: one cached statement instead of thousands of bound parameters."""
    intern = intern or Interner()
    wanted = set(contact_ids)
    lo, hi = min(wanted), max(wanted)
    dense = hi - lo < DENSE * len(wanted)
    pick = (lambda col: col.between(lo, hi)) if dense else (lambda col: col.in_(contact_ids))
    conn = session.connection()  # plain rows: the ORM's per-row bookkeeping is not needed here
    rows = [r for r in conn.execute(select(*CONTACT_COLUMNS).where(pick(Contact.id))).all() if r[0] in wanted]
    consents = _consents(conn, pick(Consent.contact_id), intern)
    live = or_(Suppression.expires_at.is_(None), Suppression.expires_at > now)
    suppressed = _listed(conn, Suppression, Suppression.reason, live, (lo, hi) if dense else rows)
    allowed = _listed(conn, AllowedAddress, AllowedAddress.id, true(), (lo, hi) if dense else rows)
    sends = defaultdict(list)
    for cid, channel, purpose, at in outbox.recent_sends(session, pick, now - SEND_HISTORY):
        if channel:
            sends[cid].append(SendFact(Channel(channel), Purpose(purpose), at))
    result = {}
    none: tuple = ()
    none_set: frozenset = frozenset()
    for cid, phone, email, own_zone, derived, region, line, attrs, wrote in rows:
        addr = addresses(phone, email)
        found = consents.get(cid)
        result[cid] = Recipient(
            contact_id=cid,
            addresses=addr,
            timezones=intern.made(("tz", own_zone, derived), lambda o=own_zone, d=derived: timezones(o, d)),
            region=region,
            line_type=line,
            consents=intern(tuple(found)) if found else none,
            sends=tuple(sends[cid]) if cid in sends else none,
            lifecycle=lifecycle(attrs),
            # Channel is a str: (channel, address) pairs match the rows' ("sms", address) keys.
            suppressions={ch: suppressed[(ch, a)] for ch, a in addr.items() if (ch, a) in suppressed}
            if suppressed
            else {},
            allow_listed=frozenset(ch for ch, a in addr.items() if (ch, a) in allowed) if allowed else none_set,
            last_inbound={WHATSAPP: wrote} if wrote is not None else {},
        )
    return result


def _consents(conn: Connection, which, intern: Interner) -> dict[int, list[ConsentFact]]:
    found: dict[int, list[ConsentFact]] = defaultdict(list)
    stmt = select(
        Consent.contact_id,
        Consent.channel,
        Consent.purpose,
        Consent.status,
        Consent.recorded_at,
        Consent.source,
        Consent.has_evidence,
    ).where(which)
    for cid, *raw in conn.execute(stmt).all():
        found[cid].append(
            intern.made(
                tuple(raw), lambda r=raw: ConsentFact(Channel(r[0]), Purpose(r[1]), r[2], r[3], r[4], bool(r[5]))
            )
        )
    return found


def _listed(conn: Connection, model, value, condition, contacts) -> dict[tuple[str, str], Any]:
    """(channel, address) -> value for the batch's addresses found in a list of addresses (suppressions,
    the allow-list): joined in the database for an id range (lo, hi), else matched by pairs."""
    if isinstance(contacts, tuple):
        lo, hi = contacts
        found = {}
        for column, kinds in ((Contact.phone, ("sms", "whatsapp")), (Contact.email, ("email",))):
            stmt = (
                select(model.channel, model.address, value)
                .join(Contact, model.address == column)
                .where(Contact.id.between(lo, hi), model.channel.in_(kinds), condition)
            )
            found.update({(ch, a): v for ch, a, v in conn.execute(stmt).all()})
        return found
    pairs = {(ch.value, a) for r in contacts for ch, a in addresses(r.phone, r.email).items()}
    if not pairs:
        return {}
    # Channels and addresses as two lists (which the (channel, address) index serves), the pairs kept here.
    stmt = select(model.channel, model.address, value).where(
        model.channel.in_({ch for ch, _ in pairs}), model.address.in_({a for _, a in pairs}), condition
    )
    return {(ch, a): v for ch, a, v in conn.execute(stmt).all() if (ch, a) in pairs}


def load_usage(session: Session, now: datetime, planned: bool) -> Usage:
    """The senders' usage from the ledger: what was sent or is in flight in the last day, and with `planned`
    what is queued or held for later too (the planner places new messages around it); plus each channel's
    failure rate over the last day."""
    times: dict[str, list[datetime]] = defaultdict(list)
    for channel, buckets, at in outbox.bucket_use(session, now - USAGE_HISTORY, planned):
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)
        times[sender_bucket(channel)].append(moment)  # every message counts against its channel's sender
        for bucket in (buckets or "").split(","):
            if bucket and bucket != sender_bucket(channel):
                times[bucket].append(moment)
    return Usage(times, outbox.failure_rates(session, now - USAGE_HISTORY))
