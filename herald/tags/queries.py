"""Read side of the tags room."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from herald.contacts import sources
from herald.contacts.importer import ALIAS_INDEX, header_key
from herald.contacts.models import Contact
from herald.contacts.normalize import Phone, normalize_email, normalize_phone
from herald.db import UnitOfWork
from herald.tags.models import ContactTag, Tag


def names_by_contact(session: Session, contact_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each contact's tag names, sorted; contacts without tags are absent."""
    ids = list(contact_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    rows = session.execute(select(ContactTag.contact_id, Tag.name).join(Tag, Tag.id == ContactTag.tag_id)
                           .where(ContactTag.contact_id.in_(ids)).order_by(Tag.name))
    for contact_id, name in rows:
        out.setdefault(contact_id, []).append(name)
    return out


def contact_ids_in(uow: UnitOfWork, path: Path, default_region: str | None) -> tuple[list[int], list[str]]:
    """The contacts a file of phone numbers and emails names (the first column, or its phone or email
    column), and the values no contact has."""
    _, rows = sources.open_rows(path)
    values, column = [], None
    for _, cells, _ in rows:
        if not any(c.strip() for c in cells):
            continue
        if column is None:
            named = [i for i, c in enumerate(cells) if ALIAS_INDEX.get(header_key(c)) in ("phone", "email")]
            column = named[0] if named else 0
            if named:
                continue
        values.append(cells[column].strip() if column < len(cells) else "")
    wanted: dict[str, str] = {}
    for raw in values:
        found = normalize_email(raw) if "@" in raw else normalize_phone(raw, default_region)
        key = found.e164 if isinstance(found, Phone) else found if isinstance(found, str) else None
        wanted[raw] = key or ""
    keys = {k for k in wanted.values() if k}
    stmt = select(Contact.id, Contact.phone, Contact.email).where(
        or_(Contact.phone.in_(keys), Contact.email.in_(keys)), Contact.erased_at.is_(None))
    by_key: dict[str | None, int] = {}
    for cid, phone, email in uow.session.execute(stmt):
        by_key[phone], by_key[email] = cid, cid
    return sorted({by_key[k] for k in wanted.values() if k in by_key}), [r for r, k in wanted.items()
                                                                      if k not in by_key]
