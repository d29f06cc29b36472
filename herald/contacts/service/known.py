"""Reading what the contacts room already holds for a batch being written: known contacts by key, and
held consents. Plain values, not ORM objects: a re-import matches every row and changes almost none, and
loading a hundred thousand contacts as objects cost more than the rest of its batch. `service` writes
what changes."""

from __future__ import annotations

from collections.abc import Sequence
from types import SimpleNamespace
from typing import TYPE_CHECKING

from herald.access import Sealer, sealer_of
from herald.contacts.models import PERSON, Consent, Contact
from herald.contacts.service.common import PROFILE
from herald.db import UnitOfWork
from herald.db.bulk import select_in

if TYPE_CHECKING:
    from herald.contacts.service.common import ContactInput

SNAPSHOT = ("id", *PROFILE)
SEALED = ("personal_sealed",)  # read beside it when sealing is on


class Known(SimpleNamespace):
    """A known contact's columns as read for matching, and the names of those a batch changed."""

    changed: set[str]


def existing(uow: UnitOfWork, inputs: Sequence[ContactInput]) -> dict[tuple[str, str], Known]:
    """(key, value) -> the known contact, for every external id, phone and email of the batch."""
    keys: dict[str, set[str]] = {"phone": set(), "email": set(), "external_id": set()}
    known_keys: dict[tuple[str, str], str] = {}  # (kind, address) -> its key, where parsing worked it out
    for item in inputs:
        for name, value in item.keys():
            keys[name].add(value)
        if item.sealed is not None:
            known_keys.update(_keys_of(item))
    uow.flush()  # what this unit of work changed through objects must be what is read here
    # Each kind of key in one query a 5,000 through the driver: a fresh import's batch matches nobody, and
    # a re-import's every row.
    sealer = sealer_of(uow.session)
    columns = [getattr(Contact, c) for c in (*SNAPSHOT, *(SEALED if sealer.on else ()))]
    found: dict[tuple[str, str], Known] = {}
    seen: dict[int, Known] = {}
    for name, values in keys.items():
        # A value a contact found by an earlier kind already holds is that contact's (keys are unique):
        # a re-import finds almost every email by its row's phone.
        wanted = [v for v in values if (name, v) not in found]
        if wanted and sealer.on and name != "external_id":
            wanted = [known_keys.get((name, v)) or str(sealer.key(name, v)) for v in wanted]
        for row in select_in(uow, getattr(Contact, name), wanted, columns) if wanted else ():
            if row[0] not in seen:
                contact = seen[row[0]] = _known(row, sealer)
                found.update(((key, getattr(contact, key)), contact) for key in KEYS if getattr(contact, key))
    return found


KEYS = ("phone", "email", "external_id")


def _keys_of(item: ContactInput) -> list[tuple[tuple[str, str], str]]:
    """The keys parsing worked out for the item's phone and email."""
    assert item.sealed is not None
    found = []
    if item.phone is not None:
        found.append((("phone", item.phone.e164), item.sealed[0]))
    if item.email:
        found.append((("email", item.email), item.sealed[1]))
    return found


def _known(row: tuple, sealer: Sealer) -> Known:
    contact = Known()
    contact.__dict__.update(zip(SNAPSHOT, row, strict=False))
    if sealer.on and row[len(SNAPSHOT)] is not None:
        contact.__dict__.update(PERSON.opened(sealer, {**contact.__dict__, "personal_sealed": row[len(SNAPSHOT)]}))
    contact.changed = set()
    return contact


def find_matches(item: ContactInput, known: dict[tuple[str, str], Known]) -> list[Known]:
    """The known contacts the item's external id, phone and email point at (the same one, or several)."""
    return [known[key] for key in item.keys() if key in known]


def held_consents(uow: UnitOfWork, contact_ids: set[int], purpose: str) -> dict[tuple[int, str], tuple]:
    """(contact, channel) -> (status, recorded_at) of the consent held for `purpose`, read through the driver:
    new contacts hold none, and a re-import changes almost none of them."""
    uow.flush()
    columns = [Consent.contact_id, Consent.channel, Consent.purpose, Consent.status, Consent.recorded_at]
    return {
        (cid, channel): (status, at)
        for cid, channel, held_for, status, at in select_in(uow, Consent.contact_id, list(contact_ids), columns)
        if held_for == purpose
    }
