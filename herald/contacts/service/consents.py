"""Consent with its proof: an append-only history of events and the state it leaves per contact, channel
and purpose."""

from __future__ import annotations

import ipaddress
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select

from herald.contacts.models import Consent, ConsentEvent
from herald.contacts.service import facts
from herald.contacts.service.common import get_contact
from herald.contacts.service.known import held_consents
from herald.db import UnitOfWork
from herald.db.bulk import insert_values, one_of, triggers_suspended
from herald.errors import Invalid
from herald.types import Channel, ConsentStatus, Purpose

EVENT_COLUMNS = ("contact_id", "channel", "purpose", "status", "source", "evidence", "ip", "recorded_at", "provenance")
CONSENT_COLUMNS = ("contact_id", "channel", "purpose", "status", "recorded_at", "source", "has_evidence")


class ConsentChange(NamedTuple):
    contact_id: int
    channel: str
    status: str  # granted | revoked
    evidence: str | None = None
    at: datetime | None = None  # when the person gave it, if not now
    ip: str | None = None
    source: str | None = None  # if not the call's
    provenance: str | None = None  # where the record came from (a file's row, the API): never proof


def record_consents(
    uow: UnitOfWork, changes: Iterable[tuple], purpose: str, source: str, now: datetime, new: Collection[int] = ()
) -> list[int]:
    """Record consents given as `ConsentChange` fields (contact_id, channel, status, evidence, at, ip,
    source, provenance); only real changes are written, and one older than the current state joins the history
    without replacing it. Contacts in `new`, just inserted with the consent keys these changes give them
    (`facts.keys_ahead`), hold none to look up and need no key set. Returns the contact of each change
    recorded (one entry a change)."""
    changes = [c if len(c) == 8 else ConsentChange(*c) for c in changes]
    held = held_consents(uow, {c[0] for c in changes}.difference(new), purpose)
    changed: dict[tuple[int, str], tuple] = {}  # new states of held consents: status, recorded_at, source, proof
    events: list[tuple] = []  # in the order of EVENT_COLUMNS
    fresh: dict[tuple[int, str], tuple] = {}  # in the order of CONSENT_COLUMNS
    for contact_id, channel, status, evidence, at, ip, own_source, provenance in changes:
        key = (contact_id, channel)
        state, made = changed.get(key) or held.get(key), fresh.get(key)
        if (made[3] if made else state[0] if state else None) == status:
            continue
        when, said = at or now, own_source or source
        events.append((contact_id, channel, purpose, status, said, evidence, ip, when, provenance))
        if state is None:
            fresh[key] = (contact_id, channel, purpose, status, when, said, bool(evidence or ip))
        elif when >= state[1]:
            changed[key] = (status, when, said, bool(evidence or ip))
    insert_values(uow, ConsentEvent.__table__, events, EVENT_COLUMNS)
    with triggers_suspended(uow, [facts.CONSENT_KEYED] if len(fresh) >= facts.BULK else []) as suspended:
        # In the order of the primary key: PostgreSQL's consent trigger then reads them in the order
        # `facts.keys_ahead` lists them.
        insert_values(uow, Consent.__table__, sorted(fresh.values(), key=lambda r: r[:2]), CONSENT_COLUMNS)
    if suspended:
        facts.key_consents(uow, {contact_id for contact_id, _ in fresh}.difference(new))
    _write_consent_states(uow, changed, purpose)
    return [event[0] for event in events]


def _write_consent_states(uow: UnitOfWork, changed: dict[tuple[int, str], tuple], purpose: str) -> None:
    """Apply the new states to the consents, through their objects (loaded in one query)."""
    if not changed:
        return
    stmt = select(Consent).where(
        one_of(uow, Consent.contact_id, {cid for cid, _ in changed}), Consent.purpose == purpose
    )
    for consent in uow.session.scalars(stmt):
        state = changed.get((consent.contact_id, consent.channel))
        if state is not None:
            consent.status, consent.recorded_at, consent.source, consent.has_evidence = state


def set_consent(
    uow: UnitOfWork,
    contact_id: int,
    channel: Channel,
    purpose: Purpose,
    status: ConsentStatus,
    source: str,
    evidence: str | None,
    now: datetime,
    at: datetime | None = None,
    ip: str | None = None,
    provenance: str | None = None,
) -> bool:
    """Grant or revoke one consent with its proof (and when and from where it was given, if known);
    returns whether anything changed."""
    get_contact(uow, contact_id)
    change = ConsentChange(
        contact_id, channel.value, status.value, evidence or None, at, check_ip(ip), None, provenance
    )
    return bool(record_consents(uow, [change], purpose.value, source, now))


def check_ip(ip: str | None) -> str | None:
    """An IPv4 or IPv6 address as stored, or Invalid."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        raise Invalid(f"{ip!r} is not an IP address", where="ip") from None
