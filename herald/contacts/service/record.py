"""One contact's record as a whole: updated field by field, merged with another, erased at the person's
request, or corrected by a number lookup."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update

from herald.access import sealer_of
from herald.contacts.models import AllowedAddress, Consent, ConsentEvent, Contact, ContactMerge, Suppression
from herald.contacts.service.common import FILLABLE, KEYS, ContactInput, get_contact, living_contact
from herald.contacts.service.consents import ConsentChange, record_consents
from herald.contacts.service.suppression import suppress
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid
from herald.types import Channel, Purpose

ERASED = "erased"  # the suppression reason of an erased person's digested addresses


def erasure_digest(key: str, address: str) -> str:
    """The one-way stand-in for an erased person's address. Keyed with the installation's secret: a plain
    hash of a phone number is undone by hashing every phone number."""
    return "erased:" + hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def addresses_of(contact: Contact) -> list[tuple[str, str]]:
    """(channel, address) of every address the contact can be messaged at."""
    phone = [(Channel.SMS.value, contact.phone), (Channel.WHATSAPP.value, contact.phone)] if contact.phone else []
    return phone + ([(Channel.EMAIL.value, contact.email)] if contact.email else [])


def erase(uow: UnitOfWork, contact_id: int, now: datetime, key: str) -> Contact:
    """Remove a person's data from the contacts room: the contact keeps only its id (for the ledger's
    counts), consent history goes, and keyed digests of its addresses join the suppression list so the
    person is never imported or messaged again."""
    contact = living_contact(uow, contact_id)
    pairs = addresses_of(contact)
    sealer = sealer_of(uow.session)
    for model in (Suppression, AllowedAddress):  # plain entries name the person too
        for channel, address in pairs:
            stored = sealer.channel_key(channel, address)
            uow.session.execute(delete(model).where(model.channel == channel, model.address == stored))
    for channel, address in pairs:
        suppress(uow, Channel(channel), erasure_digest(key, address), ERASED, now, "erased at the person's request")
    for history in (ConsentEvent, Consent):
        uow.session.execute(delete(history).where(history.contact_id == contact_id))
    for column in FILLABLE:
        setattr(contact, column, None)
    contact.attributes, contact.updated_at, contact.erased_at = {}, now, now
    uow.flush()
    return contact


def _kept(uow: UnitOfWork, keep_id: int, other_id: int, snapshot: dict[str, Any]) -> dict[str, Any]:
    """What a merged contact held, as history keeps it: sealed whole when personal data is sealed at rest."""
    kept = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in snapshot.items()}
    sealer = sealer_of(uow.session)
    if not sealer.on:
        return kept
    return {"sealed": sealer.seal_text("merge", f"{keep_id}:{other_id}", json.dumps(kept, ensure_ascii=False))}


def anyone_erased(uow: UnitOfWork) -> bool:
    """Whether anyone was ever erased (an import skips the digests when nobody was)."""
    return uow.session.scalar(select(Suppression.id).where(Suppression.reason == ERASED).limit(1)) is not None


def erased_among(uow: UnitOfWork, addresses: Iterable[str], key: str | tuple[str, ...]) -> set[str]:
    """The addresses (phones in E.164, normalized emails) of people erased at their request, under the
    installation's key or any earlier one (`key` may list several)."""
    keys = (key,) if isinstance(key, str) else key
    digests = {erasure_digest(k, a): a for a in addresses if a for k in keys}
    if not digests:
        return set()
    stmt = select(Suppression.address).where(Suppression.reason == ERASED, Suppression.address.in_(digests))
    return {digests[d] for d in uow.session.scalars(stmt)}


def merge_into(uow: UnitOfWork, keep_id: int, other_id: int, now: datetime, actor: str) -> Contact:
    """Merge contact `other_id` into `keep_id` and delete it: the kept contact's fields win and its empty
    ones are filled, attributes join, consent history moves over (the latest consent per channel and
    purpose stands), and what the other held is kept in `contact_merges`. Other rooms move their rows
    first (see `people.merge_people`)."""
    keep, other = _mergeable(uow, keep_id, other_id)
    snapshot = {c: getattr(other, c) for c in (*FILLABLE, "created_at")}
    snapshot["attributes"] = dict(other.attributes or {})
    for key in KEYS:  # free the unique keys before the kept contact takes them
        setattr(other, key, None)
    uow.flush()
    for name in FILLABLE:
        if not getattr(keep, name) and snapshot[name]:
            setattr(keep, name, snapshot[name])
    keep.attributes = {**snapshot["attributes"], **(keep.attributes or {})}
    keep.updated_at = now
    _merge_consents(uow, keep_id, other_id)
    uow.session.add(
        ContactMerge(
            contact_id=keep_id,
            merged_id=other_id,
            merged_by=actor,
            merged_at=now,
            snapshot=_kept(uow, keep_id, other_id, snapshot),
        )
    )
    uow.session.delete(other)
    uow.flush()
    return keep


def _mergeable(uow: UnitOfWork, keep_id: int, other_id: int) -> tuple[Contact, Contact]:
    if keep_id == other_id:
        raise Invalid("a contact cannot be merged into itself", where="merge")
    keep, other = get_contact(uow, keep_id), get_contact(uow, other_id)
    for contact in (keep, other):
        if contact.erased_at is not None:
            raise Conflict(f"contact {contact.id} was erased; there is nothing to merge")
    return keep, other


def _merge_consents(uow: UnitOfWork, keep_id: int, other_id: int) -> None:
    uow.session.execute(update(ConsentEvent).where(ConsentEvent.contact_id == other_id).values(contact_id=keep_id))
    kept = uow.session.scalars(select(Consent).where(Consent.contact_id == keep_id))
    mine = {(c.channel, c.purpose): c for c in kept}
    for theirs in uow.session.scalars(select(Consent).where(Consent.contact_id == other_id)).all():
        current = mine.get((theirs.channel, theirs.purpose))
        if current is None:
            uow.session.add(
                Consent(
                    contact_id=keep_id,
                    channel=theirs.channel,
                    purpose=theirs.purpose,
                    status=theirs.status,
                    recorded_at=theirs.recorded_at,
                    source=theirs.source,
                    has_evidence=theirs.has_evidence,
                )
            )
        elif theirs.recorded_at > current.recorded_at:
            current.status, current.recorded_at = theirs.status, theirs.recorded_at
            current.source, current.has_evidence = theirs.source, theirs.has_evidence
        uow.session.delete(theirs)
    uow.flush()


def apply_lookup(
    uow: UnitOfWork,
    contact_id: int,
    valid: bool,
    line_type: str | None,
    carrier: str | None,
    detail: str,
    now: datetime,
) -> str:
    """Record what a number lookup found: the line type and current carrier of a live number, or the
    number suppressed as invalid on SMS and WhatsApp. Returns verified | invalid | gone."""
    contact = get_contact(uow, contact_id)
    if not contact.phone:
        return "gone"  # erased or changed while the lookup ran
    if not valid:
        for channel in (Channel.SMS, Channel.WHATSAPP):
            suppress(uow, channel, contact.phone, "invalid", now, detail)
        return "invalid"
    contact.line_type = line_type or contact.line_type
    contact.carrier = carrier or contact.carrier
    contact.updated_at = now
    return "verified"


PHONE_COLUMNS = ("phone", "region", "phone_timezones", "carrier", "line_type", "phone_extension")


def update_contact(
    uow: UnitOfWork, contact_id: int, item: ContactInput, given: set[str], now: datetime, drop: Iterable[str] = ()
) -> Contact:
    """Set the `given` fields of one contact from a normalized item (a phone brings its region, zones,
    carrier and line type) and remove the attributes in `drop`. A phone, email or id that is another
    contact's is a conflict."""
    contact = living_contact(uow, contact_id)
    columns = item.columns()
    for key in KEYS:
        value = columns[key]
        if key in given and value:
            column = getattr(Contact, key)
            other = uow.session.scalar(select(Contact.id).where(column == value, Contact.id != contact_id))
            if other is not None:
                raise Conflict(f"{key} {value} belongs to contact {other}; merge them with `herald contacts merge`")
    for name in given & set(FILLABLE):
        for column in PHONE_COLUMNS if name == "phone" else (name,):
            setattr(contact, column, columns[column])
    dropped = set(drop)
    if item.attributes or dropped:
        merged = {**(contact.attributes or {}), **item.attributes}
        contact.attributes = {k: v for k, v in merged.items() if k not in dropped}
    if item.consents:
        record_consents(
            uow,
            [
                ConsentChange(
                    contact_id,
                    ch,
                    st,
                    item.evidence,
                    item.consent_at,
                    item.consent_ip,
                    item.consent_source,
                    item.provenance,
                )
                for ch, st in item.consents.items()
            ],
            Purpose.MARKETING,
            "api",
            now,
        )
    contact.updated_at = now
    uow.flush()
    return contact
