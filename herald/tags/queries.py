"""Read side of the tags room."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from herald.contacts import Contact, Phone, read_addresses
from herald.db import UnitOfWork
from herald.tags.models import ContactTag, Tag


def names_by_contact(session: Session, contact_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each contact's tag names, sorted; contacts without tags are absent."""
    ids = list(contact_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    rows = session.execute(
        select(ContactTag.contact_id, Tag.name)
        .join(Tag, Tag.id == ContactTag.tag_id)
        .where(ContactTag.contact_id.in_(ids))
        .order_by(Tag.name)
    )
    for contact_id, name in rows:
        out.setdefault(contact_id, []).append(name)
    return out


def contact_ids_in(uow: UnitOfWork, path: Path, default_region: str | None) -> tuple[list[int], list[str]]:
    """The contacts a file of phone numbers and emails names (see `contacts.lists.read_addresses`), and the
    values no contact has."""
    wanted = {
        raw: found.e164 if isinstance(found, Phone) else found if isinstance(found, str) else ""
        for _, raw, found in read_addresses(path, default_region)
    }
    keys = {k for k in wanted.values() if k}
    stmt = select(Contact.id, Contact.phone, Contact.email).where(
        or_(Contact.phone.in_(keys), Contact.email.in_(keys)), Contact.erased_at.is_(None)
    )
    by_key: dict[str | None, int] = {}
    for cid, phone, email in uow.session.execute(stmt):
        by_key[phone], by_key[email] = cid, cid
    return sorted({by_key[k] for k in wanted.values() if k in by_key}), [
        r for r, k in wanted.items() if k not in by_key
    ]


def live_expiry(uow: UnitOfWork, tag_id: int, contact_ids: list[int], now: datetime) -> dict[int, datetime | None]:
    """For the contacts that carry the tag now: when it expires (None: never)."""
    held: dict[int, datetime | None] = {}
    for start in range(0, len(contact_ids), 5000):
        stmt = select(ContactTag.contact_id, ContactTag.expires_at).where(
            ContactTag.tag_id == tag_id,
            ContactTag.contact_id.in_(contact_ids[start : start + 5000]),
            or_(ContactTag.expires_at.is_(None), ContactTag.expires_at > now),
        )
        held.update((cid, until) for cid, until in uow.session.execute(stmt))
    return held
