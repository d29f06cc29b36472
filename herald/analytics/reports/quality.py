"""The contact data quality report: how much of the list can be messaged, where it is, on which networks
and line types, what consent covers, what went stale and which numbers keep failing. Reads only."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from herald.access import sealer_of
from herald.contacts import Consent, ConsentEvent, Contact, ContactMerge, Suppression
from herald.outbox import Message
from herald.types import MessageStatus

STALE_AFTER = timedelta(days=90)
TOP = 15
PHONE_CHANNELS = ("sms", "whatsapp")


def quality(session: Session, now: datetime, failures: int = 2) -> dict[str, Any]:
    """The report; `failures` is how many refused messages make a number "failing repeatedly"."""
    live = Contact.erased_at.is_(None)
    total = _count(session, live)
    reachable = _count(session, live, or_(Contact.phone.is_not(None), Contact.email.is_not(None)))
    return {
        "contacts": total,
        "erased": _count(session, Contact.erased_at.is_not(None)),
        "with_phone": _count(session, live, Contact.phone.is_not(None)),
        "with_email": _count(session, live, Contact.email.is_not(None)),
        "reachable_share": round(reachable / total, 4) if total else None,
        "by_region": top_values(session, Contact.region, live),
        "by_carrier": top_values(session, Contact.carrier, live, Contact.phone.is_not(None)),
        "by_line_type": top_values(session, Contact.line_type, live, Contact.phone.is_not(None)),
        "merged": session.scalar(select(func.count()).select_from(ContactMerge)) or 0,
        "without_consent": {ch: _without_consent(session, ch) for ch in (*PHONE_CHANNELS, "email")},
        "consent_without_proof": {ch: _unproven(session, ch) for ch in (*PHONE_CHANNELS, "email")},
        "suppressed": dict(
            session.execute(select(Suppression.reason, func.count()).group_by(Suppression.reason)).all()
        ),
        "stale": {"days": STALE_AFTER.days, "contacts": _stale(session, now - STALE_AFTER)},
        "failing_repeatedly": _failing(session, failures),
    }


def _count(session: Session, *where) -> int:
    return session.scalar(select(func.count()).select_from(Contact).where(*where)) or 0


def top_values(session: Session, column, *where) -> dict[str, int]:
    """Counts by value, largest first; the rest summed under "other" and unknown values under "unknown"."""
    rows = session.execute(
        select(column, func.count()).where(*where).group_by(column).order_by(func.count().desc(), column)
    ).all()
    found = {str(v or "unknown"): n for v, n in rows[:TOP]}
    if len(rows) > TOP:
        found["other"] = sum(n for _, n in rows[TOP:])
    return found


def _without_consent(session: Session, channel: str) -> int:
    """Contacts with an address for the channel but no granted marketing consent on it."""
    address = Contact.email if channel == "email" else Contact.phone
    granted = exists().where(
        Consent.contact_id == Contact.id,
        Consent.channel == channel,
        Consent.purpose == "marketing",
        Consent.status == "granted",
    )
    return _count(session, Contact.erased_at.is_(None), address.is_not(None), ~granted)


def _unproven(session: Session, channel: str) -> int:
    """Contacts whose granted marketing consent on the channel carries no proof (no evidence, no IP):
    enough where the law asks for consent, not where it asks to demonstrate it (GDPR)."""
    unproven = exists().where(
        Consent.contact_id == Contact.id,
        Consent.channel == channel,
        Consent.purpose == "marketing",
        Consent.status == "granted",
        Consent.has_evidence.is_(False),
    )
    return _count(session, Contact.erased_at.is_(None), unproven)


def _stale(session: Session, since: datetime) -> int:
    """Contacts with no sign of life since `since`: not added or changed, no consent given or withdrawn,
    nothing delivered to them."""
    touched = or_(Contact.created_at >= since, Contact.updated_at >= since)
    consented = exists().where(ConsentEvent.contact_id == Contact.id, ConsentEvent.recorded_at >= since)
    reached = exists().where(
        Message.contact_id == Contact.id, Message.status == MessageStatus.SENT, Message.sent_at >= since
    )
    return _count(session, Contact.erased_at.is_(None), ~touched, ~consented, ~reached)


def _failing(session: Session, at_least: int) -> dict[str, Any]:
    """Addresses providers refused for good at least `at_least` times, and how many are suppressed."""
    refused = (
        select(
            Message.channel, Message.address, func.max(Message.address_sealed).label("sealed"), func.count().label("n")
        )
        .where(Message.status == MessageStatus.FAILED, Message.reason == "rejected", Message.address.is_not(None))
        .group_by(Message.channel, Message.address)
        .having(func.count() >= at_least)
        .subquery()
    )
    suppressed = exists().where(
        and_(Suppression.channel == refused.c.channel, Suppression.address == refused.c.address)
    )
    rows = session.execute(
        select(refused.c.channel, refused.c.address, refused.c.sealed, refused.c.n, suppressed)
        .order_by(refused.c.n.desc(), refused.c.address)
        .limit(TOP)
    ).all()
    total = session.scalar(select(func.count()).select_from(refused)) or 0
    sealer = sealer_of(session)  # the worst addresses are shown as they are, not as their keys
    return {
        "at_least": at_least,
        "addresses": total,
        "worst": [
            {"channel": c, "address": sealer.open_address(a, sealed), "refused": n, "suppressed": bool(s)}
            for c, a, sealed, n, s in rows
        ],
    }
