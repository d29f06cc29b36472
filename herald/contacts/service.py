"""Use cases of the contacts room; the only writer of its tables. Services never commit."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import NamedTuple

from sqlalchemy import delete, insert, select, text, update

from herald.contacts.known import Known, existing, find_matches, held_consents
from herald.contacts.models import AllowedAddress, Consent, ConsentEvent, Contact, ContactMerge, Suppression
from herald.contacts.normalize import Phone
from herald.db import UnitOfWork
from herald.db.bulk import insert_rows, one_of
from herald.errors import Conflict, Invalid, NotFound
from herald.types import Channel, ConsentStatus, Purpose

CONTACT_COLUMNS = ("name", "phone", "phone_extension", "email", "external_id", "region", "timezone",
                   "phone_timezones", "carrier", "line_type", "attributes", "created_at", "updated_at")
EVENT_COLUMNS = ("contact_id", "channel", "purpose", "status", "source", "evidence", "ip", "recorded_at")
CONSENT_COLUMNS = ("contact_id", "channel", "purpose", "status", "recorded_at", "source", "has_evidence")
FILLABLE = ("name", "phone", "email", "external_id", "region", "timezone", "phone_timezones", "carrier",
            "line_type", "phone_extension")


@dataclass
class ContactInput:
    """One contact as an importer or API hands it over, already normalized."""

    row: int
    phone: Phone | None = None
    email: str | None = None
    name: str | None = None
    external_id: str | None = None
    timezone: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    consents: dict[str, str] = field(default_factory=dict)  # channel -> granted|revoked
    evidence: str | None = None
    consent_at: datetime | None = None  # when the consents were given, if the source says
    consent_ip: str | None = None
    consent_source: str | None = None  # form, keyword, api… if the source says
    extension: str | None = None  # from its own column; else the one written after the number

    def columns(self) -> dict[str, object]:
        p = self.phone
        return {
            "name": self.name, "email": self.email, "external_id": self.external_id,
            "timezone": self.timezone, "phone": p and p.e164, "region": p and p.region,
            "phone_timezones": p and ",".join(p.timezones) or None,
            "carrier": p and p.carrier, "line_type": p and p.line_type,
            "phone_extension": self.extension or (p and p.extension) or None,
        }

    def preview(self) -> dict[str, object]:
        """The row as it will be stored, for an import's dry run."""
        found = {"row": self.row, **{k: v for k, v in self.columns().items() if v}}
        return {**found, **({"attributes": self.attributes} if self.attributes else {}),
                **({"consents": self.consents} if self.consents else {})}


@dataclass(frozen=True)
class UpsertOutcome:
    status: str  # imported | updated | unchanged | conflict
    contact_id: int | None
    detail: str | None = None


MERGE_POLICIES = ("fill-empty", "overwrite")
KEYS = ("external_id", "phone", "email")


def upsert_contacts(uow: UnitOfWork, inputs: Sequence[ContactInput], now: datetime, source: str,
                    policy: str = "fill-empty") -> list[UpsertOutcome]:
    """Insert new contacts and update known ones (keyed by external id, phone, email): `fill-empty` fills
    only what is empty and reports a row whose phone, email or id disagrees with the contact's as a
    conflict; `overwrite` replaces what the row gives."""
    if policy not in MERGE_POLICIES:
        raise Invalid(f"expected one of {', '.join(MERGE_POLICIES)}, got {policy!r}", where="merge policy")
    known = existing(uow, inputs)
    outcomes: list[UpsertOutcome | None] = [None] * len(inputs)
    fresh: list[int] = []
    for i, item in enumerate(inputs):
        matches = {c.id: c for c in find_matches(item, known)}
        if len(matches) > 1:
            ids = ", ".join(str(k) for k in sorted(matches))
            outcomes[i] = UpsertOutcome("conflict", None, f"phone, email or id belong to different contacts ({ids})")
        elif matches:
            contact = next(iter(matches.values()))
            clash = _clash(contact, item) if policy == "fill-empty" else None
            outcomes[i] = clash or _update(contact, item, overwrite=policy == "overwrite")
        else:
            fresh.append(i)
    _write_changes(uow, [c for c in {id(c): c for c in known.values()}.values() if c.changed], now)
    for i, contact_id in zip(fresh, _insert(uow, [inputs[i] for i in fresh], now), strict=True):
        outcomes[i] = UpsertOutcome("imported", contact_id)
    uow.flush()
    _apply_import_consents(uow, inputs, outcomes, now, source)
    return [o for o in outcomes if o is not None]


def _write_changes(uow: UnitOfWork, changed: list[Known], now: datetime) -> None:
    """Apply what the batch changed to the contacts, through their objects (loaded in one query)."""
    if not changed:
        return
    objects = {c.id: c for c in uow.session.scalars(select(Contact).where(one_of(uow, Contact.id,
                                                                               [k.id for k in changed])))}
    for known in changed:
        contact = objects[known.id]
        for name in known.changed:
            setattr(contact, name, getattr(known, name))
        contact.updated_at = now


def _clash(contact: Known, item: ContactInput) -> UpsertOutcome | None:
    """A conflict when the row's phone, email or id differs from the contact's own: reported, not guessed."""
    given = {"external_id": item.external_id, "phone": item.phone and item.phone.e164, "email": item.email}
    differ = [k for k in KEYS if given[k] and getattr(contact, k) and given[k] != getattr(contact, k)]
    if not differ:
        return None
    found = "; ".join(f"its {k} is {getattr(contact, k)}, the row says {given[k]}" for k in differ)
    return UpsertOutcome("conflict", None, f"matches contact {contact.id} but {found} (merge them with `herald "
                                           "contacts merge`, or import with --merge overwrite)")


def _update(contact: Known, item: ContactInput, overwrite: bool) -> UpsertOutcome:
    """What the row changes of a known contact, noted on it (rows of one batch may meet the same contact)."""
    changed = False
    for name, value in item.columns().items():
        if value and (overwrite or not getattr(contact, name)) and getattr(contact, name) != value:
            setattr(contact, name, value)
            contact.changed.add(name)
            changed = True
    current = contact.attributes or {}
    new_attrs = {k: v for k, v in item.attributes.items() if v and (overwrite or not current.get(k))
                 and current.get(k) != v}
    if new_attrs:
        contact.attributes = {**current, **new_attrs}
        contact.changed.add("attributes")
        changed = True
    return UpsertOutcome("updated" if changed else "unchanged", contact.id)


NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, :n)")


def _insert(uow: UnitOfWork, items: Sequence[ContactInput], now: datetime) -> list[int]:
    """Insert new contacts in one executemany and return their ids, in order."""
    if not items:
        return []
    rows = [{**i.columns(), "attributes": i.attributes, "created_at": now, "updated_at": now} for i in items]
    conn = uow.session.connection()
    if conn.dialect.name != "sqlite":
        # Ids drawn from the table's own sequence up front, so the rows can go in by COPY.
        ids = sorted(conn.execute(NEXT_IDS, {"n": len(rows)}).scalars())
        for row, contact_id in zip(rows, ids, strict=True):
            row["id"] = contact_id
        insert_rows(uow, Contact.__table__, rows, ("id", *CONTACT_COLUMNS))
        return ids
    insert_rows(uow, Contact.__table__, rows, CONTACT_COLUMNS)
    # SQLite numbers new rows of a rowid table one after another, and this transaction holds the write
    # lock: the batch's ids end at the last one given. Checked at both ends, else read back by key.
    last = conn.exec_driver_sql("SELECT last_insert_rowid()").scalar()
    ids = list(range(last - len(rows) + 1, last + 1))
    if all(_holds(uow, ids[i], rows[i]) for i in (0, -1)):
        return ids
    return _ids_by_key(uow, rows)


def _holds(uow: UnitOfWork, contact_id: int, row: dict) -> bool:
    key = next(k for k in KEYS if row[k])
    return uow.session.scalar(select(getattr(Contact, key)).where(Contact.id == contact_id)) == row[key]


def _ids_by_key(uow: UnitOfWork, rows: list[dict]) -> list[int]:
    by_key: dict[tuple[str, str], int] = {}
    for key in KEYS:
        values = [r[key] for r in rows if r[key]]
        for chunk in range(0, len(values), 5000):
            column = getattr(Contact, key)
            found = uow.session.execute(select(column, Contact.id).where(column.in_(values[chunk:chunk + 5000])))
            by_key.update(((key, value), cid) for value, cid in found)
    return [next(by_key[(k, r[k])] for k in KEYS if r[k]) for r in rows]


def _apply_import_consents(uow: UnitOfWork, inputs: Sequence[ContactInput],
                           outcomes: Sequence[UpsertOutcome | None], now: datetime, source: str) -> None:
    wanted = [
        (o.contact_id, channel, status, item.evidence, item.consent_at, item.consent_ip, item.consent_source)
        for item, o in zip(inputs, outcomes, strict=True)
        if o and o.contact_id is not None
        for channel, status in item.consents.items()
    ]
    if wanted:
        record_consents(uow, wanted, Purpose.MARKETING, source, now)


class ConsentChange(NamedTuple):
    contact_id: int
    channel: str
    status: str  # granted | revoked
    evidence: str | None = None
    at: datetime | None = None  # when the person gave it, if not now
    ip: str | None = None
    source: str | None = None  # if not the call's


def record_consents(uow: UnitOfWork, changes: Iterable[tuple], purpose: str, source: str, now: datetime) -> int:
    """Record consents given as `ConsentChange` fields (contact_id, channel, status, evidence, at, ip,
    source); only real changes are written, and one older than the current state joins the history
    without replacing it. Returns how many were recorded."""
    changes = [ConsentChange(*c) for c in changes]
    current = held_consents(uow, {c[0] for c in changes}, purpose)
    events: list[dict] = []
    fresh: dict[tuple[int, str], dict] = {}
    for contact_id, channel, status, evidence, at, ip, own_source in changes:
        state = current.get((contact_id, channel))
        latest = fresh.get((contact_id, channel), {}).get("status") or (state.status if state else None)
        if latest == status:
            continue
        when, said = at or now, own_source or source
        events.append({"contact_id": contact_id, "channel": channel, "purpose": purpose, "status": status,
                       "source": said, "evidence": evidence, "ip": ip, "recorded_at": when})
        if state is None:
            fresh[(contact_id, channel)] = {"contact_id": contact_id, "channel": channel, "purpose": purpose,
                                            "status": status, "recorded_at": when, "source": said,
                                            "has_evidence": bool(evidence or ip)}
        elif when >= state.recorded_at:
            state.status, state.recorded_at, state.source = status, when, said
            state.has_evidence, state.changed = bool(evidence or ip), True
    insert_rows(uow, ConsentEvent.__table__, events, EVENT_COLUMNS)
    insert_rows(uow, Consent.__table__, list(fresh.values()), CONSENT_COLUMNS)
    _write_consent_states(uow, {k: v for k, v in current.items() if v.changed}, purpose)
    return len(events)


def _write_consent_states(uow: UnitOfWork, changed: dict[tuple[int, str], SimpleNamespace], purpose: str) -> None:
    """Apply the new states to the consents, through their objects (loaded in one query)."""
    if not changed:
        return
    stmt = select(Consent).where(one_of(uow, Consent.contact_id, {cid for cid, _ in changed}),
                                 Consent.purpose == purpose)
    for consent in uow.session.scalars(stmt):
        state = changed.get((consent.contact_id, consent.channel))
        if state is not None:
            consent.status, consent.recorded_at, consent.source = state.status, state.recorded_at, state.source
            consent.has_evidence = state.has_evidence


def set_consent(uow: UnitOfWork, contact_id: int, channel: Channel, purpose: Purpose, status: ConsentStatus,
                source: str, evidence: str | None, now: datetime, at: datetime | None = None,
                ip: str | None = None) -> bool:
    """Grant or revoke one consent with its proof (and when and from where it was given, if known);
    returns whether anything changed."""
    get_contact(uow, contact_id)
    change = (contact_id, channel.value, status.value, evidence, at, check_ip(ip))
    return record_consents(uow, [change], purpose.value, source, now) > 0


def check_ip(ip: str | None) -> str | None:
    """An IPv4 or IPv6 address as stored, or Invalid."""
    if not ip:
        return None
    try:
        return str(ipaddress.ip_address(ip.strip()))
    except ValueError:
        raise Invalid(f"{ip!r} is not an IP address", where="ip") from None


def suppress(uow: UnitOfWork, channel: Channel, address: str, reason: str, now: datetime,
             detail: str | None = None, expires_at: datetime | None = None) -> Suppression:
    """Suppress an address on a channel (idempotent: an existing entry keeps its first reason)."""
    if not address:
        raise Invalid("an address is required", where="suppression")
    existing = uow.session.scalar(
        select(Suppression).where(Suppression.channel == channel.value, Suppression.address == address)
    )
    if existing is not None:
        return existing
    entry = Suppression(channel=channel.value, address=address, reason=reason, detail=detail,
                        created_at=now, expires_at=expires_at)
    uow.session.add(entry)
    uow.flush()
    return entry


def suppress_many(uow: UnitOfWork, pairs: Sequence[tuple[str, str]], reason: str, now: datetime,
                  detail: str | None = None, expires_at: datetime | None = None) -> set[tuple[str, str]]:
    """Suppress many (channel, address) pairs at once; returns those that were new (existing entries keep
    their reason and are never lifted by a list)."""
    wanted = list(dict.fromkeys(pairs))
    existing: set[tuple[str, str]] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        stmt = select(Suppression.channel, Suppression.address).where(
            Suppression.channel.in_({c for c, _ in chunk}), Suppression.address.in_({a for _, a in chunk}))
        existing.update((c, a) for c, a in uow.session.execute(stmt))
    new = [p for p in wanted if p not in existing]
    if new:
        uow.session.execute(insert(Suppression.__table__), [
            {"channel": c, "address": a, "reason": reason, "detail": detail, "created_at": now,
             "expires_at": expires_at} for c, a in new])
    return set(new)


def unsuppress(uow: UnitOfWork, channel: Channel, address: str) -> bool:
    """Lift a suppression; returns whether one existed."""
    result = uow.session.execute(
        delete(Suppression).where(Suppression.channel == channel.value, Suppression.address == address)
    )
    return result.rowcount > 0


def allow(uow: UnitOfWork, channel: Channel, address: str, now: datetime, detail: str | None = None) -> bool:
    """Put an address on the allow-list (idempotent); returns whether it was new."""
    if not address:
        raise Invalid("an address is required", where="allow-list")
    stmt = select(AllowedAddress.id).where(AllowedAddress.channel == channel.value, AllowedAddress.address == address)
    if uow.session.scalar(stmt) is not None:
        return False
    uow.session.add(AllowedAddress(channel=channel.value, address=address, detail=detail, created_at=now))
    uow.flush()
    return True


def disallow(uow: UnitOfWork, channel: Channel, address: str) -> bool:
    """Take an address off the allow-list; returns whether it was on it."""
    result = uow.session.execute(delete(AllowedAddress).where(AllowedAddress.channel == channel.value,
                                                              AllowedAddress.address == address))
    return result.rowcount > 0


def get_contact(uow: UnitOfWork, contact_id: int) -> Contact:
    """The contact with this id, or NotFound."""
    contact = uow.session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    return contact


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
    contact = get_contact(uow, contact_id)
    if contact.erased_at is not None:
        raise Conflict(f"contact {contact_id} was erased on {contact.erased_at:%Y-%m-%d}")
    pairs = addresses_of(contact)
    for model in (Suppression, AllowedAddress):  # plain entries name the person too
        for channel, address in pairs:
            uow.session.execute(delete(model).where(model.channel == channel, model.address == address))
    for channel, address in pairs:
        suppress(uow, Channel(channel), erasure_digest(key, address), ERASED, now, "erased at the person's request")
    for model in (ConsentEvent, Consent):
        uow.session.execute(delete(model).where(model.contact_id == contact_id))
    for column in FILLABLE:
        setattr(contact, column, None)
    contact.attributes, contact.updated_at, contact.erased_at = {}, now, now
    uow.flush()
    return contact


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
    uow.session.add(ContactMerge(contact_id=keep_id, merged_id=other_id, merged_by=actor, merged_at=now,
                                 snapshot={k: v.isoformat() if isinstance(v, datetime) else v
                                           for k, v in snapshot.items()}))
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
            uow.session.add(Consent(contact_id=keep_id, channel=theirs.channel, purpose=theirs.purpose,
                                    status=theirs.status, recorded_at=theirs.recorded_at, source=theirs.source,
                                    has_evidence=theirs.has_evidence))
        elif theirs.recorded_at > current.recorded_at:
            current.status, current.recorded_at = theirs.status, theirs.recorded_at
            current.source, current.has_evidence = theirs.source, theirs.has_evidence
        uow.session.delete(theirs)
    uow.flush()


def apply_lookup(uow: UnitOfWork, contact_id: int, valid: bool, line_type: str | None, carrier: str | None,
                 detail: str, now: datetime) -> str:
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


def update_contact(uow: UnitOfWork, contact_id: int, item: ContactInput, given: set[str], now: datetime,
                   drop: Iterable[str] = ()) -> Contact:
    """Set the `given` fields of one contact from a normalized item (a phone brings its region, zones,
    carrier and line type) and remove the attributes in `drop`. A phone, email or id that is another
    contact's is a conflict."""
    contact = get_contact(uow, contact_id)
    if contact.erased_at is not None:
        raise Conflict(f"contact {contact_id} was erased")
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
        record_consents(uow, [(contact_id, ch, st, item.evidence) for ch, st in item.consents.items()],
                        Purpose.MARKETING, "api", now)
    contact.updated_at = now
    uow.flush()
    return contact
