"""Upserting contacts in batches: match by external id, phone and email, update per the merge policy, insert
the new ones in one statement, and record the consents their rows carry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, text

from herald.access import Sealer, sealer_of
from herald.contacts.models import PERSON, Contact
from herald.contacts.service import facts
from herald.contacts.service.common import CONTACT_COLUMNS, FILLED, KEYS, MERGE_POLICIES, ContactInput, UpsertOutcome
from herald.contacts.service.consents import record_consents
from herald.contacts.service.known import Known, existing, find_matches
from herald.db import UnitOfWork
from herald.db.bulk import insert_values, one_of, triggers_suspended
from herald.errors import Invalid
from herald.types import Purpose


def upsert_contacts(
    uow: UnitOfWork, inputs: Sequence[ContactInput], now: datetime, source: str, policy: str = "fill-empty"
) -> list[UpsertOutcome]:
    """Insert new contacts and update known ones (keyed by external id, phone, email): `fill-empty` fills
    only what is empty and reports a row whose phone, email or id disagrees with the contact's as a
    conflict; `overwrite` replaces what the row gives."""
    if policy not in MERGE_POLICIES:
        raise Invalid(f"expected one of {', '.join(MERGE_POLICIES)}, got {policy!r}", where="merge policy")
    known = existing(uow, inputs)
    outcomes: list[UpsertOutcome | None] = [None] * len(inputs)
    fresh: list[int] = []
    for i, item in enumerate(inputs):
        matches = find_matches(item, known)
        if any(c is not matches[0] for c in matches):
            ids = ", ".join(str(k) for k in sorted({c.id for c in matches}))
            outcomes[i] = UpsertOutcome("conflict", None, f"phone, email or id belong to different contacts ({ids})")
        elif matches:
            contact = matches[0]
            clash = _clash(contact, item) if policy == "fill-empty" else None
            outcomes[i] = clash or _update(contact, item, overwrite=policy == "overwrite")
        else:
            fresh.append(i)
    _write_changes(uow, [c for c in {id(c): c for c in known.values()}.values() if c.changed], now)
    inserted = _insert(uow, [inputs[i] for i in fresh], now, source)
    for i, contact_id in zip(fresh, inserted, strict=True):
        outcomes[i] = UpsertOutcome("imported", contact_id)
    uow.flush()
    _apply_import_consents(uow, inputs, outcomes, now, source, inserted)
    return [o for o in outcomes if o is not None]


def _write_changes(uow: UnitOfWork, changed: list[Known], now: datetime) -> None:
    """Apply what the batch changed to the contacts, through their objects (loaded in one query)."""
    if not changed:
        return
    objects = {
        c.id: c for c in uow.session.scalars(select(Contact).where(one_of(uow, Contact.id, [k.id for k in changed])))
    }
    for known in changed:
        contact = objects[known.id]
        for name in known.changed:
            setattr(contact, name, getattr(known, name))
        contact.updated_at = now


def _clash(contact: Known, item: ContactInput) -> UpsertOutcome | None:
    """A conflict when the row's phone, email or id differs from the contact's own: reported, not guessed."""
    differ = [k for k, v in item.keys() if (held := getattr(contact, k)) and held != v]
    if not differ:
        return None
    given = dict(item.keys())
    found = "; ".join(f"its {k} is {getattr(contact, k)}, the row says {given[k]}" for k in differ)
    return UpsertOutcome(
        "conflict",
        None,
        f"matches contact {contact.id} but {found} (merge them with `herald "
        "contacts merge`, or import with --merge overwrite)",
    )


def _update(contact: Known, item: ContactInput, overwrite: bool) -> UpsertOutcome:
    """What the row changes of a known contact, noted on it (rows of one batch may meet the same contact)."""
    changed = False
    for name, value in zip(FILLED, item.values(None)):  # noqa: B905 - values go on past the fillable columns
        if value and (held := getattr(contact, name)) != value and (overwrite or not held):
            setattr(contact, name, value)
            contact.changed.add(name)
            changed = True
    current = contact.attributes or {}
    new_attrs = (
        {k: v for k, v in item.attributes.items() if v and (overwrite or not current.get(k)) and current.get(k) != v}
        if item.attributes
        else None
    )
    if new_attrs:
        contact.attributes = {**current, **new_attrs}
        contact.changed.add("attributes")
        changed = True
    return UpsertOutcome("updated" if changed else "unchanged", contact.id)


NEXT_IDS = text("SELECT nextval(pg_get_serial_sequence('contacts', 'id')) FROM generate_series(1, :n)")


def _insert(uow: UnitOfWork, items: Sequence[ContactInput], now: datetime, source: str) -> list[int]:
    """Insert new contacts in one executemany and return their ids, in order."""
    if not items:
        return []
    keys = facts.keys_ahead(uow, items, now, source) or [None] * len(items)
    rows = [(*i.values(now), k) for i, k in zip(items, keys, strict=True)]
    columns: tuple[str, ...] = (*CONTACT_COLUMNS, "consent_key")
    sealer = sealer_of(uow.session)
    if sealer.on:
        rows = [sealed_row(sealer, r, i.sealed) for r, i in zip(rows, items, strict=True)]
        columns = (*columns, *SEALED_COLUMNS)
    conn = uow.session.connection()
    if conn.dialect.name != "sqlite":
        # Ids drawn from the table's own sequence up front, so the rows can go in by COPY.
        ids = sorted(conn.execute(NEXT_IDS, {"n": len(rows)}).scalars())
        insert_values(uow, Contact.__table__, [(i, *r) for i, r in zip(ids, rows, strict=True)], ("id", *columns))
        return ids
    with triggers_suspended(uow, [facts.CONTACT_LISTED] if len(rows) >= facts.BULK else []) as suspended:
        ids = _sqlite_insert(uow, items, rows, columns)
    if suspended:
        facts.mark_listed(uow, ids)
    return ids


SEALED_COLUMNS = ("personal_sealed",)
NAME, PHONE, EMAIL, ATTRIBUTES = (CONTACT_COLUMNS.index(c) for c in ("name", "phone", "email", "attributes"))


def sealed_row(sealer: Sealer, row: tuple, parts: tuple | None = None) -> tuple:
    """A new contact's row as it is stored sealed: keys for its addresses, no name, the attributes that
    are not sensitive, and the sealed person at the end (SEALED_COLUMNS). `parts` are those worked out
    already (by the process that parsed the row)."""
    phone_key, email_key, attributes, person = parts or sealed_parts(
        sealer, row[PHONE], row[EMAIL], row[NAME], row[ATTRIBUTES]
    )
    out = list(row)
    out[PHONE], out[EMAIL], out[NAME], out[ATTRIBUTES] = phone_key, email_key, None, attributes
    return (*out, person)


def sealed_parts(sealer: Sealer, phone: str | None, email: str | None, name: str | None, attributes: dict) -> tuple:
    """(phone key, email key, plain attributes, sealed person) of a new contact: what `PERSON.stored`
    gives, written out for the one case an import meets a hundred thousand times a file."""
    hidden: dict[str, Any] = {}
    if attributes and not sealer.sensitive.isdisjoint(attributes):
        attributes = dict(attributes)
        hidden = {k: attributes.pop(k) for k in sorted(sealer.sensitive.intersection(attributes))}
    phone_key, email_key = sealer.key("phone", phone), sealer.key("email", email)
    bound = f"{phone_key or ''}|{email_key or ''}"
    return phone_key, email_key, attributes, PERSON.sealed(sealer, bound, [phone, email, name], hidden)


def _sqlite_insert(uow: UnitOfWork, items: Sequence[ContactInput], rows: list[tuple], columns: tuple) -> list[int]:
    insert_values(uow, Contact.__table__, rows, columns)
    # SQLite numbers new rows of a rowid table one after another, and this transaction holds the write
    # lock: the batch's ids end at the last one given. Checked at both ends, else read back by key.
    last = uow.session.connection().exec_driver_sql("SELECT last_insert_rowid()").scalar_one()
    ids = list(range(last - len(rows) + 1, last + 1))
    if all(_holds(uow, ids[i], items[i]) for i in (0, -1)):
        return ids
    return _ids_by_key(uow, items)


def _holds(uow: UnitOfWork, contact_id: int, item: ContactInput) -> bool:
    key, value = item.keys()[0]
    stored = value if key == "external_id" else sealer_of(uow.session).key(key, value)
    return uow.session.scalar(select(getattr(Contact, key)).where(Contact.id == contact_id)) == stored


def _ids_by_key(uow: UnitOfWork, items: Sequence[ContactInput]) -> list[int]:
    by_key: dict[tuple[str, str], int] = {}
    sealer = sealer_of(uow.session)
    for key in KEYS:
        stored = {
            (v if key == "external_id" else str(sealer.key(key, v))): v for i in items for k, v in i.keys() if k == key
        }
        values = list(stored)
        for chunk in range(0, len(values), 5000):
            column = getattr(Contact, key)
            found = uow.session.execute(select(column, Contact.id).where(column.in_(values[chunk : chunk + 5000])))
            by_key.update(((key, stored[value]), cid) for value, cid in found)
    return [by_key[i.keys()[0]] for i in items]


def _apply_import_consents(
    uow: UnitOfWork,
    inputs: Sequence[ContactInput],
    outcomes: list[UpsertOutcome | None],
    now: datetime,
    source: str,
    inserted: list[int],
) -> None:
    wanted = [
        (
            o.contact_id,
            channel,
            status,
            item.evidence,
            item.consent_at,
            item.consent_ip,
            item.consent_source,
            item.provenance,
        )
        for item, o in zip(inputs, outcomes, strict=True)
        if o and o.contact_id is not None
        for channel, status in item.consents.items()
    ]
    if not wanted:
        return
    changed = set(record_consents(uow, wanted, Purpose.MARKETING, source, now, new=set(inserted)))
    for i, outcome in enumerate(outcomes):  # a consent given or withdrawn is a change of the contact
        if outcome and outcome.status == "unchanged" and outcome.contact_id in changed:
            outcomes[i] = outcome._replace(status="updated")
